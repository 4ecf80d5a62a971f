"""Approving and rejecting a draft: one decision per person and version, never by whoever wrote it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.quorum.ballots import approval_policy, approving_role, draft_facts, quorum_state, writers_of
from flows.quorum.requests import tell_writers
from flows.quorum.rules import QuorumError, QuorumState, clean_comment
from models import Approval, Decision, Draft, DraftStatus, Incident, Person, reach_milestone, record_event


def approve_draft(
    session: Session,
    *,
    draft: Draft,
    person: Person,
    at: datetime,
    available: set[str],
    version: int | None = None,
) -> QuorumState:
    """Record `person`'s approval of the current version; when the quorum holds, the draft is approved.

    `version` is the one the person read: a decision on an older one is refused. Deciding the same way
    twice on the same version changes nothing (Slack may deliver a click twice).
    """
    return _decide(session, draft, person, Decision.APPROVE, None, at, version, available)


def reject_draft(
    session: Session,
    *,
    draft: Draft,
    person: Person,
    comment: str,
    at: datetime,
    available: set[str],
    version: int | None = None,
) -> QuorumState:
    """Send the current version back to whoever wrote it, with a comment saying what must change.

    Someone who approved the version may still send it back while it awaits approval.
    """
    comment = clean_comment(comment)
    return _decide(session, draft, person, Decision.REJECT, comment, at, version, available)


def _decide(
    session: Session,
    draft: Draft,
    person: Person,
    decision: Decision,
    comment: str | None,
    at: datetime,
    version: int | None,
    available: set[str],
) -> QuorumState:
    # Re-read under a row lock: two approvers deciding at once must not both miss the quorum.
    session.refresh(draft, with_for_update=True)
    incident = session.get_one(Incident, draft.incident_id)
    policy = approval_policy(session, incident=incident)
    if version is not None and version != draft.version:
        raise QuorumError(
            f"{draft.label} changed since you read it: you decided on version {version}, it is now "
            f"version {draft.version}. Read the new text, then decide again."
        )
    mine = _own_decision(session, draft, person)
    if mine is not None and mine.decision == decision:
        return quorum_state(session, draft=draft, policy=policy)  # a repeated click changes nothing
    if person.id in writers_of(session, draft):
        raise QuorumError(f"{person.name} wrote {draft.label}: its approval must come from others.")
    role = approving_role(session, incident=incident, person=person, policy=policy)
    if draft.status != DraftStatus.AWAITING_APPROVAL:
        raise QuorumError(f"{draft.label} is {draft.status}, not awaiting approval: nothing to decide.")
    old = None
    if mine is None:
        mine = Approval(draft_id=draft.id, person=person, role=role, version=draft.version)
        session.add(mine)
    else:  # approved, now sends it back (the only change of mind: a rejection ends the wait)
        old, role = {"decision": mine.decision.value, "decided_at": mine.decided_at.isoformat()}, mine.role
    mine.decision, mine.comment, mine.decided_at = decision, comment, at
    mine.text, mine.text_sha256 = draft.text, draft.text_sha256  # exactly what they decided on
    session.flush()
    state = quorum_state(session, draft=draft, policy=policy)
    _record_decision(session, incident, draft, person, mine, old, state)
    if decision == Decision.REJECT:
        _settle(session, draft, incident, DraftStatus.REJECTED, at, person, state)
        tell_writers(
            session,
            draft=draft,
            incident=incident,
            at=at,
            available=available,
            decided_by=person,
            role=mine.role,
            comment=comment,
        )
    elif state.approved:
        _settle(session, draft, incident, DraftStatus.APPROVED, at, person, state)
        draft.approved_at = at
        reach_milestone(session, incident=incident, milestone="approved_at", at=at, actor=person.key)
        tell_writers(
            session, draft=draft, incident=incident, at=at, available=available, approvers=state.approvers
        )
    return state


def _own_decision(session: Session, draft: Draft, person: Person) -> Approval | None:
    """What `person` already decided on the draft's current version, if anything."""
    return session.scalars(
        select(Approval).where(
            Approval.draft_id == draft.id, Approval.person_id == person.id, Approval.version == draft.version
        )
    ).one_or_none()


def _record_decision(
    session: Session,
    incident: Incident,
    draft: Draft,
    person: Person,
    mine: Approval,
    old: dict[str, str] | None,
    state: QuorumState,
) -> None:
    """The decision on the timeline, with the one it replaces (an approval sent back) as the old value."""
    decision, role, comment = mine.decision, mine.role, mine.comment
    if decision == Decision.APPROVE:
        done = f"approved {draft.label} v{draft.version} as {role} ({state.counted}/{state.needed})"
    else:
        done = f"sent {draft.label} v{draft.version} back as {role}: {comment}"
    record_event(
        session,
        incident=incident,
        at=mine.decided_at,
        kind="approval" if decision == Decision.APPROVE else "rejection",
        actor=person.key,
        summary=f"{person.name} {done}",
        old=old,
        new=draft_facts(draft) | {"decision": decision.value, "role": role, "comment": comment},
    )


def _settle(
    session: Session,
    draft: Draft,
    incident: Incident,
    to: DraftStatus,
    at: datetime,
    actor: Person,
    why: QuorumState,
) -> None:
    """Move the draft to its decided status, on the timeline with the old and new status."""
    old, draft.status, draft.updated_at = draft.status, to, at
    record_event(
        session,
        incident=incident,
        at=at,
        kind="draft_status",
        actor=actor.key,
        summary=f"{draft.label} v{draft.version}: {old} → {to}. {why.explanation}",
        old={"draft": draft.label, "status": old.value},
        new={"draft": draft.label, "status": to.value, "version": draft.version},
    )
