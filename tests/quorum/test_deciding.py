"""Deciding on a draft: never its author, only the cell's approving roles, each role once, each click once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from flows.quorum import QuorumError, QuorumState, approve_draft
from models import Draft, DraftStatus, Person
from tests.quorum.scenario import Cell
from tests.scenarios.hotel import T0


def test_the_author_cannot_approve_or_reject_their_own_draft(cell: Cell) -> None:
    draft_id = cell.propose(by="sophie.marchand")  # a comms lead, who could approve anyone else's
    before = cell.snapshot()

    with pytest.raises(QuorumError, match="Sophie Marchand wrote D1: its approval must come from others"):
        cell.approve(draft_id, by="sophie.marchand")
    with pytest.raises(QuorumError, match="wrote D1"):
        cell.reject(draft_id, by="sophie.marchand", comment="Je retire ma proposition.")

    assert cell.snapshot() == before


def test_two_approvals_from_the_same_role_are_not_enough_with_distinct_roles(cell: Cell) -> None:
    draft_id = cell.propose()

    cell.approve(draft_id, by="sophie.marchand")
    state = cell.approve(draft_id, by="emma.walsh")  # the other comms lead

    assert not state.approved
    assert (state.counted, state.still_needed, state.roles_seen) == (1, 1, ("comms_lead",))
    assert state.missing_roles == ("legal", "executive")
    assert state.explanation == "1 more approval needed, from a role not heard yet: legal or executive."
    assert cell.draft(draft_id).status == DraftStatus.AWAITING_APPROVAL
    assert cell.incident().approved_at is None


def test_two_approvals_from_distinct_roles_approve_the_draft_and_stamp_the_milestone(
    cell: Cell, people_ids: dict[str, int]
) -> None:
    draft_id = cell.propose()

    first = cell.approve(draft_id, by="sophie.marchand")
    second = cell.approve(draft_id, by="anne.roux", at=T0 + timedelta(minutes=20))

    assert not first.approved and second.approved
    assert second.roles_seen == ("comms_lead", "legal")
    draft = cell.draft(draft_id)
    assert draft.status == DraftStatus.APPROVED
    assert draft.approved_at == T0 + timedelta(minutes=20)
    assert cell.incident().approved_at == T0 + timedelta(minutes=20)
    [milestone] = [e for e in cell.timeline("milestone") if e.summary == "approved_at"]
    assert milestone.actor == "anne.roux"
    [settled] = cell.timeline("draft_status")
    assert settled.old == {"draft": "D1", "status": "awaiting_approval"}
    assert settled.new == {"draft": "D1", "status": "approved", "version": 1}
    # The author hears it, with who approved.
    claire = people_ids["claire.morel"]
    told = cell.outbox()[f"incident:{cell.incident_id}/draft:1/v1/approved/person:{claire}"]
    assert told.template == "draft_decision" and told.context["decision"] == "approved"
    assert told.context["approvers"] == [
        {"name": "Sophie Marchand", "role": "comms_lead"},
        {"name": "Me Anne Roux", "role": "legal"},
    ]


def test_the_milestone_keeps_the_first_approval_of_the_incident(cell: Cell) -> None:
    for minutes in (10, 30):
        draft_id = cell.propose(text=f"Texte n°{minutes}")
        cell.approve(draft_id, by="sophie.marchand")
        cell.approve(draft_id, by="anne.roux", at=T0 + timedelta(minutes=minutes))

    assert cell.incident().approved_at == T0 + timedelta(minutes=10)


def test_a_person_holding_two_approving_roles_counts_once(cell: Cell) -> None:
    cell.add_member("isabelle.delacroix", "executive")
    cell.add_member("isabelle.delacroix", "legal")
    draft_id = cell.propose()

    state = cell.approve(draft_id, by="isabelle.delacroix")

    assert not state.approved and state.counted == 1
    assert cell.decisions() == [("isabelle.delacroix", 1, "executive", "approve", False)]  # first role called
    assert cell.approve(draft_id, by="sophie.marchand").approved


def test_a_rejection_needs_a_comment_for_the_author(cell: Cell) -> None:
    draft_id = cell.propose()
    before = cell.snapshot()

    for blank in ("", "   ", "\x00\n"):
        with pytest.raises(QuorumError, match="a rejection needs a comment"):
            cell.reject(draft_id, by="anne.roux", comment=blank)

    assert cell.snapshot() == before


def test_a_rejection_sends_the_draft_back_and_tells_the_author(
    cell: Cell, people_ids: dict[str, int]
) -> None:
    draft_id = cell.propose()
    cell.approve(draft_id, by="sophie.marchand")

    state = cell.reject(draft_id, by="anne.roux", comment="Ne dites pas « faux avis » : c'est à prouver.")

    assert not state.approved and state.rejected_by == (people_ids["anne.roux"],)
    assert cell.draft(draft_id).status == DraftStatus.REJECTED
    claire = people_ids["claire.morel"]
    told = cell.outbox()[f"incident:{cell.incident_id}/draft:1/v1/rejected/person:{claire}"]
    assert told.template == "draft_decision"
    assert told.context["comment"] == "Ne dites pas « faux avis » : c'est à prouver."
    assert (told.context["decided_by"], told.context["role"]) == ("Me Anne Roux", "legal")
    [event] = cell.timeline("rejection")
    assert event.actor == "anne.roux" and "c'est à prouver" in event.summary
    # Sent back: nobody decides on it any more until it is edited.
    with pytest.raises(QuorumError, match="D1 is rejected, not awaiting approval"):
        cell.approve(draft_id, by="emma.walsh")
    assert cell.incident().approved_at is None


def test_someone_who_approved_may_still_send_it_back_while_it_waits(cell: Cell) -> None:
    draft_id = cell.propose()
    cell.approve(draft_id, by="sophie.marchand")

    cell.reject(draft_id, by="sophie.marchand", comment="Relu : il manque les excuses.")

    assert cell.decisions() == [("sophie.marchand", 1, "comms_lead", "reject", False)]
    assert cell.draft(draft_id).status == DraftStatus.REJECTED
    [event] = cell.timeline("rejection")
    assert event.old is not None and event.old["decision"] == "approve"


@pytest.mark.parametrize(
    "who, reason",
    [
        ("lucas.perrin", "Lucas Perrin is not in the crisis cell of CRI-2026-0001"),  # never called
        ("henri.delacroix", "Henri Delacroix is not in the crisis cell"),  # called, declined
        ("thomas.girard", "Thomas Girard is in the cell as agency; deciding on a draft takes one of"),
    ],
)
def test_only_the_cells_approving_roles_decide(cell: Cell, who: str, reason: str) -> None:
    draft_id = cell.propose()
    before = cell.snapshot()

    with pytest.raises(QuorumError, match=reason):
        cell.approve(draft_id, by=who)
    with pytest.raises(QuorumError, match=reason):
        cell.reject(draft_id, by=who, comment="Non.")

    assert cell.snapshot() == before


def test_the_same_click_twice_changes_nothing(cell: Cell) -> None:
    draft_id = cell.propose()
    cell.approve(draft_id, by="sophie.marchand")
    once = cell.snapshot()

    again = cell.approve(draft_id, by="sophie.marchand", version=1)

    assert cell.snapshot() == once
    assert again.counted == 1 and not again.approved
    # Even after the quorum was reached, a late duplicate is answered with the state, not an error.
    cell.approve(draft_id, by="anne.roux")
    done = cell.snapshot()
    assert cell.approve(draft_id, by="anne.roux", version=1).approved
    assert cell.snapshot() == done


def test_a_repeated_rejection_is_harmless_too(cell: Cell) -> None:
    draft_id = cell.propose()
    cell.reject(draft_id, by="anne.roux", comment="À revoir.")
    once = cell.snapshot()

    state = cell.reject(draft_id, by="anne.roux", comment="À revoir.")

    assert cell.snapshot() == once and len(state.rejected_by) == 1


def test_two_approvers_deciding_at_the_same_moment_reach_the_quorum(cell: Cell) -> None:
    draft_id = cell.propose()
    done: dict[str, QuorumState] = {}
    with cell.sessions() as first, first.begin():
        sophie = first.scalars(select(Person).where(Person.key == "sophie.marchand")).one()
        approve_draft(
            first, draft=first.get_one(Draft, draft_id), person=sophie, at=T0, available={"console"}
        )
        # Anne decides while Sophie's decision is not yet committed: she must wait for it, not miss it.
        anne = threading.Thread(target=lambda: done.update(anne=cell.approve(draft_id, by="anne.roux")))
        anne.start()
        anne.join(timeout=0.5)
        assert anne.is_alive(), "the second decision did not wait for the first"
    anne.join(timeout=30)

    assert done["anne"].approved
    assert cell.draft(draft_id).status == DraftStatus.APPROVED
