"""The quorum rule itself, pure: whatever decisions were taken, does the policy hold? And what text is fit."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from flows.kit.schema import ApprovalPolicy
from flows.refusals import Refusal
from models import Decision
from notifications.render import clean_text

MAX_DRAFT_CHARS = 5_000  # more than any holding statement or review reply a platform takes
MAX_COMMENT_CHARS = 2_000


class QuorumError(Refusal, ValueError):
    """A draft action the quorum refuses, with the reason in words the person can act on."""


class Ballot(Protocol):
    """One person's decision as the quorum reads it (an `Approval` row is one)."""

    person_id: int
    role: str
    decision: Decision


@dataclass(frozen=True)
class QuorumState:
    """Where one version of a draft stands against the approval policy."""

    needed: int  # the policy's `approvers`
    counted: int  # approvals that count (distinct roles, when the policy asks for them)
    still_needed: int
    approved: bool
    approvers: tuple[int, ...]  # people whose approval counts, in the order they decided
    roles_seen: tuple[str, ...]  # their roles, in the policy's order
    missing_roles: tuple[str, ...]  # with distinct roles: the roles that would still count
    rejected_by: tuple[int, ...]  # people who sent this version back
    explanation: str


def evaluate_quorum(
    approvals: Iterable[Ballot], policy: ApprovalPolicy, author_id: int, *, writers: Collection[int] = ()
) -> QuorumState:
    """Judge the decisions on one version of a draft against `policy`.

    The author's decisions (and those of `writers`, who wrote the version) never count; a person counts
    once, by their first decision; roles the policy does not name do not count; with `distinct_roles`, a
    role counts once; a rejection stands until the text is edited.
    """
    excluded = {author_id, *writers}
    first: dict[int, Ballot] = {}
    for ballot in approvals:
        if ballot.person_id not in excluded:
            first.setdefault(ballot.person_id, ballot)
    rejected_by = tuple(pid for pid, b in first.items() if b.decision == Decision.REJECT)
    approving = [b for b in first.values() if b.decision == Decision.APPROVE and b.role in policy.from_roles]
    roles_seen = tuple(role for role in policy.from_roles if any(b.role == role for b in approving))
    counted = len(roles_seen) if policy.distinct_roles else len(approving)
    still_needed = max(policy.approvers - counted, 0)
    missing = tuple(r for r in policy.from_roles if r not in roles_seen) if policy.distinct_roles else ()
    state = QuorumState(
        needed=policy.approvers,
        counted=counted,
        still_needed=still_needed,
        approved=still_needed == 0 and not rejected_by,
        approvers=tuple(b.person_id for b in approving),
        roles_seen=roles_seen,
        missing_roles=missing if still_needed else (),
        rejected_by=rejected_by,
        explanation="",
    )
    return replace(state, explanation=_explain(state, policy))


def _explain(state: QuorumState, policy: ApprovalPolicy) -> str:
    if state.rejected_by:
        who = "1 person" if len(state.rejected_by) == 1 else f"{len(state.rejected_by)} people"
        return f"Sent back by {who}: an edit puts it up for approval again."
    if state.approved:
        kind = "distinct roles" if policy.distinct_roles else "approvals"
        return f"Quorum reached: {state.counted} of {state.needed} {kind} ({', '.join(state.roles_seen)})."
    if policy.distinct_roles and state.still_needed > len(state.missing_roles):
        return (
            f"Cannot be reached: the policy asks for {state.needed} distinct roles "
            f"but names only {len(policy.from_roles)} ({', '.join(policy.from_roles)})."
        )
    if state.still_needed == 1:
        more = "1 more approval needed, from"
    else:
        more = f"{state.still_needed} more approvals needed, each from"
    if policy.distinct_roles:
        return f"{more} a role not heard yet: {_either(state.missing_roles)}."
    return f"{more} one of these roles: {_either(policy.from_roles)}."


def _either(roles: Sequence[str]) -> str:
    return roles[0] if len(roles) == 1 else f"{', '.join(roles[:-1])} or {roles[-1]}"


def clean_draft_text(text: str) -> str:
    """Public text is outside-grade input: drop control characters, refuse empty or oversized text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QuorumError("The text is not valid UTF-8.") from None
    text = clean_text(text).strip()
    if not text:
        raise QuorumError("The text is empty.")
    if not any(character.isalnum() for character in text):
        # "…" or "---" typed where the words belong (a tour's placeholder) must never become a statement.
        raise QuorumError(f"The text has no words ({text[:20]!r}): write the words to be published.")
    if len(text) > MAX_DRAFT_CHARS:
        raise QuorumError(f"The text is too long ({len(text):,} characters; at most {MAX_DRAFT_CHARS:,}).")
    return text


def clean_comment(comment: str) -> str:
    """A rejection's comment: required, since the author must know what to change."""
    comment = clean_text(comment).strip()
    if not comment:
        raise QuorumError("Say why it is sent back: a rejection needs a comment for the author.")
    if len(comment) > MAX_COMMENT_CHARS:
        raise QuorumError(
            f"The comment is too long ({len(comment):,} characters; at most {MAX_COMMENT_CHARS:,})."
        )
    return comment


def text_sha256(text: str) -> str:
    """The fingerprint of a text, kept with each version and each decision on it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
