"""Answers from the cell: "I take it" (acknowledge) or "I can't take it" (decline).

However the answer arrives — command line, Slack button, a scripted person in a drill — it lands here,
in the caller's transaction. Only a person of the incident's cell may answer, and answering twice
changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.schema import Kit
from flows.refusals import Refusal
from flows.surround.cell import settle_assembly
from models import Incident, Participant, ParticipantStatus, Person, reach_milestone, record_event


class AnswerError(Refusal, ValueError):
    """An answer that cannot be taken, said in words the person can act on."""

    status = 403  # the person may not answer this call


@dataclass(frozen=True)
class Answered:
    changed: bool  # False: the same answer had already been recorded
    roles: tuple[str, ...]
    assembled: bool


def _my_calls(session: Session, *, incident: Incident, person: Person) -> list[Participant]:
    calls = session.scalars(
        select(Participant)
        .where(Participant.incident_id == incident.id, Participant.person_id == person.id)
        .order_by(Participant.id)
        .with_for_update()
    ).all()
    if not calls:
        raise AnswerError(f"{person.name} is not in the crisis cell of {incident.ref}.")
    return list(calls)


def acknowledge(session: Session, *, incident: Incident, person: Person, kit: Kit, at: datetime) -> Answered:
    """Take every role this person was called for; late answers after a time-out count too."""
    calls = _my_calls(session, incident=incident, person=person)
    open_calls = [c for c in calls if c.status != ParticipantStatus.ACKNOWLEDGED]
    for call in open_calls:
        call.status = ParticipantStatus.ACKNOWLEDGED
        call.acknowledged_at = at
        record_event(
            session,
            incident=incident,
            at=at,
            kind="acknowledged",
            actor=person.name,
            summary=f"{person.name} takes the role {call.role}",
            old={"status": "called"},
            new={"status": "acknowledged", "role": call.role},
        )
    if open_calls:
        reach_milestone(session, incident=incident, milestone="acknowledged_at", at=at, actor=person.name)
        _take_the_lead(session, incident=incident, person=person, calls=calls, kit=kit, at=at)
    assembled = settle_assembly(session, incident=incident, kit=kit, at=at)
    return Answered(bool(open_calls), tuple(c.role for c in calls), assembled)


def decline(session: Session, *, incident: Incident, person: Person, kit: Kit, at: datetime) -> Answered:
    """Step aside from the roles still waiting for this person; their backups are called next."""
    calls = _my_calls(session, incident=incident, person=person)
    waiting = [c for c in calls if c.status == ParticipantStatus.CALLED]
    for call in waiting:
        call.status = ParticipantStatus.DECLINED
        call.declined_at = at
        record_event(
            session,
            incident=incident,
            at=at,
            kind="declined",
            actor=person.name,
            summary=f"{person.name} cannot take the role {call.role}",
            old={"status": "called"},
            new={"status": "declined", "role": call.role},
        )
    if not waiting and all(c.status == ParticipantStatus.ACKNOWLEDGED for c in calls):
        raise AnswerError(f"{person.name} has already taken their role in {incident.ref}.")
    return Answered(bool(waiting), tuple(c.role for c in waiting), False)


def _take_the_lead(
    session: Session, *, incident: Incident, person: Person, calls: list[Participant], kit: Kit, at: datetime
) -> None:
    """The first to acknowledge the playbook's lead role leads the incident."""
    lead_role = kit.playbook_for(incident.attack_type).reminders.lead_role
    if incident.lead_id is None and any(c.role == lead_role for c in calls):
        incident.lead_id = person.id
        record_event(
            session,
            incident=incident,
            at=at,
            kind="lead",
            actor=person.name,
            summary=f"{person.name} leads the incident",
            new={"lead": person.key},
        )
