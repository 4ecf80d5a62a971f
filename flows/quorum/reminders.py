"""Drafts waiting past the playbook's target: their approvers are reminded, at a cadence and capped.

Chased by exit on top on each pass (`flows.exit_on_top.flow.chase_waiting_drafts`); returns when the next
reminder falls due, so the phase knows how long it may wait.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.cadence import next_due
from flows.kit.schema import Playbook
from flows.quorum.ballots import eligible_approvers, standing_decisions, writers_of
from flows.quorum.requests import draft_key
from models import Draft, DraftStatus, Incident, record_event
from notifications import message_person


def remind_waiting_drafts(
    session: Session, *, incident: Incident, playbook: Playbook, available: set[str], now: datetime
) -> datetime | None:
    """Remind the approvers who have not decided on a draft waiting past the policy's target, capped."""
    upcoming: list[datetime] = []
    drafts = session.scalars(
        select(Draft)
        .where(Draft.incident_id == incident.id, Draft.status == DraftStatus.AWAITING_APPROVAL)
        .order_by(Draft.number)
    ).all()
    for draft in drafts:
        when = _next_reminder(draft, playbook)
        if when is not None and when <= now:
            draft.reminders_sent += 1
            _remind_approvers(
                session, incident=incident, draft=draft, playbook=playbook, available=available, now=now
            )
            when = _next_reminder(draft, playbook)
        if when is not None:
            upcoming.append(when)
    return min(upcoming, default=None)


def _next_reminder(draft: Draft, playbook: Playbook) -> datetime | None:
    """A draft gets the policy's target to be approved, then its approvers hear every cadence, capped."""
    return next_due(
        start=draft.updated_at + playbook.approval.target,
        every=playbook.reminders.every,
        sent=draft.reminders_sent,
        at_most=playbook.reminders.at_most,
    )


def _remind_approvers(
    session: Session,
    *,
    incident: Incident,
    draft: Draft,
    playbook: Playbook,
    available: set[str],
    now: datetime,
) -> None:
    decided = {a.person_id for a in standing_decisions(session, draft=draft)}
    writers = writers_of(session, draft)
    waiting = [
        (person, role)
        for person, role in eligible_approvers(
            session, incident=incident, policy=playbook.approval, exclude=writers
        )
        if person.id not in decided
    ]
    context = {
        "ref": incident.ref,
        "draft": draft.label,
        "kind": draft.kind.value,
        "version": draft.version,
        "waiting_since": draft.updated_at.isoformat(),
        "is_drill": incident.is_drill,
    }
    for person, _role in waiting:
        message_person(
            session,
            incident=incident,
            person=person,
            key=f"{draft_key(draft)}/reminder:{draft.reminders_sent}/person:{person.id}",
            template="approval_reminder",
            context={**context, "person_name": person.name, "person_key": person.key},
            available=available,
            at=now,
        )
    record_event(
        session,
        incident=incident,
        at=now,
        kind="reminder",
        summary=f"{draft.label} waits for approval: {len(waiting)} approver(s) reminded "
        f"({draft.reminders_sent}/{playbook.reminders.at_most})",
    )
