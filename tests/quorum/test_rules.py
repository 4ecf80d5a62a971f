"""The quorum rule on its own, for any decisions whatever: what counts, what never does."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from flows.kit.schema import ApprovalPolicy
from flows.quorum import evaluate_quorum
from models import Decision

AUTHOR = 1
ROLES = ["comms_lead", "legal", "executive", "agency", "community_manager"]


@dataclass(frozen=True)
class Vote:
    person_id: int
    role: str
    decision: Decision = Decision.APPROVE


policies = st.builds(
    ApprovalPolicy,
    approvers=st.integers(1, 4),
    from_roles=st.lists(st.sampled_from(ROLES[:4]), min_size=1, max_size=3, unique=True),
    distinct_roles=st.booleans(),
)
votes = st.lists(
    st.builds(Vote, st.integers(1, 8), st.sampled_from(ROLES), st.sampled_from(list(Decision))), max_size=12
)
approvals = st.lists(st.builds(Vote, st.integers(1, 8), st.sampled_from(ROLES)), max_size=12)


def first_per_person(ballots: list[Vote]) -> list[Vote]:
    seen: dict[int, Vote] = {}
    for vote in ballots:
        if vote.person_id != AUTHOR:
            seen.setdefault(vote.person_id, vote)
    return list(seen.values())


@given(policies, votes, st.lists(st.sampled_from(ROLES), max_size=3))
def test_the_authors_decisions_never_count(
    policy: ApprovalPolicy, ballots: list[Vote], roles: list[str]
) -> None:
    by_author = [Vote(AUTHOR, role) for role in roles]

    with_author = evaluate_quorum([*by_author, *ballots], policy, AUTHOR)

    assert with_author == evaluate_quorum(ballots, policy, AUTHOR)
    assert AUTHOR not in with_author.approvers


@given(policies, approvals)
def test_approved_exactly_when_enough_approvals_count(policy: ApprovalPolicy, ballots: list[Vote]) -> None:
    state = evaluate_quorum(ballots, policy, AUTHOR)

    counting = [v for v in first_per_person(ballots) if v.role in policy.from_roles]
    expected = len({v.role for v in counting}) if policy.distinct_roles else len(counting)
    assert state.counted == expected
    assert state.approved == (expected >= policy.approvers)
    assert state.still_needed == max(policy.approvers - expected, 0)


@given(policies, votes)
def test_any_rejection_stands_in_the_way(policy: ApprovalPolicy, ballots: list[Vote]) -> None:
    state = evaluate_quorum(ballots, policy, AUTHOR)

    rejected = any(v.decision == Decision.REJECT for v in first_per_person(ballots))
    assert bool(state.rejected_by) == rejected
    if rejected:
        assert not state.approved


@given(st.integers(2, 8), st.sampled_from(["comms_lead", "legal", "executive"]))
def test_with_distinct_roles_any_number_from_one_role_counts_once(people: int, role: str) -> None:
    policy = ApprovalPolicy(approvers=2, distinct_roles=True)

    state = evaluate_quorum([Vote(p, role) for p in range(2, 2 + people)], policy, AUTHOR)

    assert state.counted == 1 and not state.approved


@given(policies, approvals, st.integers(2, 8), st.sampled_from(ROLES))
def test_one_more_approval_never_takes_the_quorum_away(
    policy: ApprovalPolicy, ballots: list[Vote], person: int, role: str
) -> None:
    before = evaluate_quorum(ballots, policy, AUTHOR)
    after = evaluate_quorum([*ballots, Vote(person, role)], policy, AUTHOR)

    assert after.counted >= before.counted
    assert after.approved or not before.approved


@given(policies, approvals)
def test_roles_outside_the_policy_never_count(policy: ApprovalPolicy, ballots: list[Vote]) -> None:
    outsiders = [Vote(v.person_id, v.role) for v in ballots if v.role not in policy.from_roles]

    assert evaluate_quorum(outsiders, policy, AUTHOR).counted == 0


def test_without_distinct_roles_two_people_of_one_role_are_enough() -> None:
    policy = ApprovalPolicy(approvers=2, distinct_roles=False)

    state = evaluate_quorum([Vote(2, "comms_lead"), Vote(3, "comms_lead")], policy, AUTHOR)

    assert state.approved and state.explanation == "Quorum reached: 2 of 2 approvals (comms_lead)."


def test_whoever_wrote_the_version_does_not_count_either() -> None:
    policy = ApprovalPolicy(approvers=2)
    ballots = [Vote(2, "comms_lead"), Vote(3, "legal")]

    assert evaluate_quorum(ballots, policy, AUTHOR).approved
    assert not evaluate_quorum(ballots, policy, AUTHOR, writers=[3]).approved


def test_the_explanation_says_what_is_still_needed() -> None:
    distinct = ApprovalPolicy(approvers=2, from_roles=["comms_lead", "legal", "executive"])
    any_role = ApprovalPolicy(approvers=3, from_roles=["comms_lead", "legal"], distinct_roles=False)
    too_many = ApprovalPolicy(approvers=3, from_roles=["comms_lead", "legal"])

    assert evaluate_quorum([], distinct, AUTHOR).explanation == (
        "2 more approvals needed, each from a role not heard yet: comms_lead, legal or executive."
    )
    assert evaluate_quorum([Vote(2, "legal")], any_role, AUTHOR).explanation == (
        "2 more approvals needed, each from one of these roles: comms_lead or legal."
    )
    assert evaluate_quorum([Vote(2, "legal")], too_many, AUTHOR).explanation == (
        "Cannot be reached: the policy asks for 3 distinct roles but names only 2 (comms_lead, legal)."
    )
    rejected = evaluate_quorum([Vote(2, "legal", Decision.REJECT), Vote(3, "comms_lead")], distinct, AUTHOR)
    assert rejected.explanation == "Sent back by 1 person: an edit puts it up for approval again."
