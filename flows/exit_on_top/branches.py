"""The two ways out of a crisis, chosen by a person of the cell, and who may act in the exit phase.

*Already handled*: the subject was handled internally, so show it (guidelines, practice, plans already
decided). *Not handled*: nothing was done, so apologise for not moving sooner, set an action plan, make
public commitments and thank the public. The branch decides which follow-up statement is drafted.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.loading import require_kit
from flows.refusals import Refusal
from models import (
    Commitment,
    CommitmentStatus,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    IncidentStatus,
    Participant,
    ParticipantStatus,
    Person,
    TimelineEvent,
    change_status,
    record_event,
)

BRANCH_EVENT = "exit_branch"  # the timeline event that records each choice, with who made it


class ExitError(Refusal, ValueError):
    """An exit-on-top action refused, with the reason in words the person can act on."""


class ExitBranch(enum.StrEnum):
    ALREADY_HANDLED = "already_handled"
    NOT_HANDLED = "not_handled"

    @property
    def follow_up(self) -> DraftKind:
        """The kind of the statement this branch publishes after the holding statement."""
        return DraftKind.STATEMENT if self is ExitBranch.ALREADY_HANDLED else DraftKind.APOLOGY


def require_member(session: Session, *, incident: Incident, person: Person) -> None:
    """Only an active member of the incident's cell (called or acknowledged) acts for it."""
    member = session.scalar(
        select(Participant.id).where(
            Participant.incident_id == incident.id,
            Participant.person_id == person.id,
            Participant.status.not_in(ParticipantStatus.gave_up_statuses()),
        )
    )
    if member is None or not person.active:
        raise ExitError(
            f"{person.name} is not in the crisis cell of {incident.ref}: only its members act for it."
        )


def live_commitments(session: Session, *, incident_id: int) -> list[Commitment]:
    """The incident's commitments that still stand (open or kept), in the order they were made."""
    return list(
        session.scalars(
            select(Commitment)
            .where(Commitment.incident_id == incident_id, Commitment.status != CommitmentStatus.DROPPED)
            .order_by(Commitment.id)
        )
    )


def choose_branch(
    session: Session, *, incident: Incident, person: Person, branch: ExitBranch, at: datetime
) -> bool:
    """Record the branch `person` chose; False when it was already the one (nothing changes).

    The not-handled branch publishes commitments with its apology, so the playbook's
    `commitments_if_not_handled` must be recorded first. Changing the branch is allowed until the old
    branch's statement is published; its drafts still unpublished are withdrawn (the words no longer fit).
    """
    # Two people choosing at once: one wins, the other sees the choice.
    session.refresh(incident, with_for_update=True)
    if incident.status not in IncidentStatus.open_statuses():
        raise ExitError(f"{incident.ref} is {incident.status}: its way out is already settled.")
    require_member(session, incident=incident, person=person)
    old = ExitBranch(incident.exit_branch) if incident.exit_branch else None
    if old is branch:
        return False
    criteria = require_kit(session).playbook_for(incident.attack_type).exit.criteria
    needed = criteria.commitments_if_not_handled
    if branch is ExitBranch.NOT_HANDLED and len(live_commitments(session, incident_id=incident.id)) < needed:
        raise ExitError(
            f"The not-handled branch publishes commitments with its apology: record at least {needed} "
            "first, then choose the branch.",
            kind="commitments_first",
            ref=incident.ref,
        )
    if old is not None:
        _withdraw_follow_ups(session, incident=incident, branch=old, person=person, at=at)
    incident.exit_branch = branch.value
    record_event(
        session,
        incident=incident,
        at=at,
        kind=BRANCH_EVENT,
        actor=person.key,
        summary=f"{person.name} chose the exit branch: {branch.value.replace('_', ' ')}",
        old={"branch": old.value} if old else None,
        new={"branch": branch.value, "person_id": person.id},
    )
    if incident.status != IncidentStatus.EXITING:
        change_status(session, incident=incident, to=IncidentStatus.EXITING, at=at, actor=person.key)
    return True


def _withdraw_follow_ups(
    session: Session, *, incident: Incident, branch: ExitBranch, person: Person, at: datetime
) -> None:
    drafts = session.scalars(
        select(Draft)
        .where(Draft.incident_id == incident.id, Draft.kind == branch.follow_up)
        .order_by(Draft.number)
        .with_for_update()
    ).all()
    published = [d.label for d in drafts if d.status == DraftStatus.PUBLISHED]
    if published:
        raise ExitError(
            f"{incident.ref} already published the {branch.value.replace('_', ' ')} statement "
            f"({', '.join(published)}): the branch can no longer change."
        )
    for draft in drafts:
        if draft.status == DraftStatus.WITHDRAWN:
            continue
        old, draft.status, draft.updated_at = draft.status, DraftStatus.WITHDRAWN, at
        record_event(
            session,
            incident=incident,
            at=at,
            kind="draft_status",
            actor=person.key,
            summary=f"{draft.label} withdrawn: the exit branch changed",
            old={"draft": draft.label, "status": old.value},
            new={"draft": draft.label, "status": DraftStatus.WITHDRAWN.value, "version": draft.version},
        )


def branch_chooser(session: Session, *, incident: Incident) -> Person | None:
    """Who chose the incident's current branch (the latest choice on the timeline)."""
    events = session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == incident.id, TimelineEvent.kind == BRANCH_EVENT)
        .order_by(TimelineEvent.id.desc())
    )
    for event in events:
        person_id = (event.new or {}).get("person_id")
        if person_id is not None:
            return session.get(Person, int(person_id))
    return None
