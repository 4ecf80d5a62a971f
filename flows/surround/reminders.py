"""Reminders for what is stuck, at the playbook's cadence and never more than `at_most` times.

Each returns when its next reminder would fall due, so the surround loop knows how long it may wait.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.schema import Playbook
from flows.quorum import eligible_approvers, standing_decisions
from flows.quorum.ballots import writers_of
from flows.quorum.requests import draft_key
from flows.surround.cell import cell_members
from models import Draft, DraftStatus, Incident, record_event
from notifications import message_person


def remind_no_lead(
    session: Session,
    *,
    incident: Incident,
    playbook: Playbook,
    context: dict[str, object],
    available: set[str],
    now: datetime,
) -> datetime | None:
    """While nobody leads the incident, remind the cell every `reminders.every`, capped."""
    policy = playbook.reminders
    if incident.lead_id is not None or incident.lead_reminders_sent >= policy.at_most:
        return None
    due = incident.detected_at + policy.every * (incident.lead_reminders_sent + 1)
    if due > now:
        return due
    incident.lead_reminders_sent += 1
    count = incident.lead_reminders_sent
    for person in cell_members(session, incident_id=incident.id):
        message_person(
            session,
            incident=incident,
            person=person,
            key=f"incident:{incident.id}/no-lead/{count}/person:{person.id}",
            template="no_lead",
            context={**context, "person_name": person.name, "lead_role": policy.lead_role},
            available=available,
            at=now,
        )
    record_event(
        session,
        incident=incident,
        at=now,
        kind="reminder",
        summary=f"no lead yet: the cell is reminded ({count}/{policy.at_most})",
    )
    if count >= policy.at_most:
        return None
    return incident.detected_at + policy.every * (count + 1)


def remind_waiting_drafts(
    session: Session, *, incident: Incident, playbook: Playbook, available: set[str], now: datetime
) -> datetime | None:
    """Remind the approvers who have not decided on a draft waiting past the policy's target, capped."""
    policy, cadence = playbook.approval, playbook.reminders
    upcoming: list[datetime] = []
    drafts = session.scalars(
        select(Draft)
        .where(Draft.incident_id == incident.id, Draft.status == DraftStatus.AWAITING_APPROVAL)
        .order_by(Draft.number)
    ).all()
    for draft in drafts:
        if draft.reminders_sent >= cadence.at_most:
            continue
        due = draft.updated_at + policy.target + cadence.every * draft.reminders_sent
        if due > now:
            upcoming.append(due)
            continue
        draft.reminders_sent += 1
        _remind_approvers(
            session, incident=incident, draft=draft, playbook=playbook, available=available, now=now
        )
        if draft.reminders_sent < cadence.at_most:
            upcoming.append(draft.updated_at + policy.target + cadence.every * draft.reminders_sent)
    return min(upcoming, default=None)


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
