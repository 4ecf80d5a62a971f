"""Surround's reminder: while nobody leads the incident, the cell is reminded, at a cadence and capped.

Returns when its next reminder would fall due, so the surround loop knows how long it may wait.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flows.cadence import next_due
from flows.kit.schema import Playbook, Reminders
from flows.surround.cell import cell_members
from models import Incident, record_event
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
    if incident.lead_id is not None:
        return None
    when = _next_no_lead_reminder(incident, policy)
    if when is None or when > now:
        return when
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
    return _next_no_lead_reminder(incident, policy)


def _next_no_lead_reminder(incident: Incident, policy: Reminders) -> datetime | None:
    """The cell gets one cadence to name its lead, then is reminded every cadence, capped."""
    return next_due(
        start=incident.detected_at + policy.every,
        every=policy.every,
        sent=incident.lead_reminders_sent,
        at_most=policy.at_most,
    )
