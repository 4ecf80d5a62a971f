"""The incident's cell: who was called, who answered, who can be told, and when it is assembled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.cover import next_in_roster
from flows.kit.schema import Kit
from flows.surround.escalation import Call, is_assembled
from models import (
    Incident,
    IncidentStatus,
    Participant,
    ParticipantStatus,
    Person,
    change_status,
    reach_milestone,
)


def load_calls(session: Session, *, incident_id: int) -> list[Call]:
    """The cell as the escalation rules see it."""
    participants = session.scalars(
        select(Participant).where(Participant.incident_id == incident_id).order_by(Participant.id)
    )
    return [Call(p.id, p.role, p.rank, p.status, p.called_at, p.reminders_sent) for p in participants]


def settle_assembly(session: Session, *, incident: Incident, kit: Kit, at: datetime) -> bool:
    """Stamp `cell_assembled_at` and move to ASSEMBLED the moment every required role is acknowledged."""
    session.flush()
    roles = kit.playbook_for(incident.attack_type).roles_for(incident.severity)
    if not is_assembled(load_calls(session, incident_id=incident.id), roles):
        return False
    first_time = reach_milestone(session, incident=incident, milestone="cell_assembled_at", at=at)
    if first_time and incident.status == IncidentStatus.MOBILISING:
        change_status(session, incident=incident, to=IncidentStatus.ASSEMBLED, at=at)
    return True


def reachable_for(session: Session, *, incident_id: int, role: str) -> list[Person]:
    """Who to tell for a role: its acknowledged members in this cell, else the roster's first active."""
    members = session.scalars(
        select(Person)
        .join(Participant, Participant.person_id == Person.id)
        .where(
            Participant.incident_id == incident_id,
            Participant.role == role,
            Participant.status == ParticipantStatus.ACKNOWLEDGED,
        )
    ).all()
    if members:
        return list(members)
    first = next_in_roster(session, role=role, after_rank=0)
    return [first[0]] if first else []


def cell_members(session: Session, *, incident_id: int) -> list[Person]:
    """Everyone still in the cell (called or acknowledged), once each."""
    return list(
        session.scalars(
            select(Person)
            .join(Participant, Participant.person_id == Person.id)
            .where(
                Participant.incident_id == incident_id,
                Participant.status.in_([ParticipantStatus.CALLED, ParticipantStatus.ACKNOWLEDGED]),
            )
            .distinct()
            .order_by(Person.id)
        )
    )
