"""Reminders for what is stuck, at the playbook's cadence and never more than `at_most` times.

Each returns when its next reminder would fall due, so the surround loop knows how long it may wait.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flows.cell import cell_members
from flows.playbook import Playbook
from models import Incident, record_event
from notifications import enqueue, route_for


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
        enqueue(
            session,
            key=f"incident:{incident.id}/no-lead/{count}/person:{person.id}",
            template="no_lead",
            locale=person.locale,
            context={**context, "person_name": person.name, "lead_role": policy.lead_role},
            route=route_for(person, available=available),
            at=now,
            incident_id=incident.id,
            person_id=person.id,
            is_drill=incident.is_drill,
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
