"""Surround (être entouré): never face an attack alone. Call the cell, then send what was queued.

Each person called gets one outbox row with its own idempotency key, written in the same transaction as
their place in the cell; sending is a separate step, so a crash between the two loses nothing.
"""

from __future__ import annotations

from datetime import datetime

from prefect import flow, task
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.cell import Gap, find_gaps, required_cover
from flows.kit import require_kit
from flows.runtime import current_runtime
from models import (
    Incident,
    IncidentStatus,
    Participant,
    Person,
    Signal,
    Target,
    change_status,
    record_event,
    transaction,
)
from notifications import dispatch_due, enqueue, route_for


def alert_context(session: Session, *, incident: Incident, gaps: list[Gap]) -> dict[str, object]:
    """What every message about this incident says: plain values, frozen when the message is queued."""
    first = session.scalars(
        select(Signal)
        .where(Signal.incident_id == incident.id)
        .order_by(Signal.observed_at, Signal.id)
        .limit(1)
    ).one()
    target = session.get_one(Target, incident.target_id)
    return {
        "ref": incident.ref,
        "title": incident.title,
        "attack_type": incident.attack_type.value,
        "severity": incident.severity.value,
        "target": target.name,
        "detected_at": incident.detected_at.isoformat(),
        "is_drill": incident.is_drill,
        "gaps": [gap.as_context() for gap in gaps],
        "signal": {
            "platform": first.platform,
            "author": first.author,
            "rating": first.rating,
            "text": first.text,
            "url": first.url,
        },
    }


def _join_cell(session: Session, *, incident: Incident, person: Person, role: str, at: datetime) -> bool:
    """Place a person in the cell for a role; False if they already hold it."""
    exists = session.scalar(
        select(Participant.id).where(
            Participant.incident_id == incident.id,
            Participant.role == role,
            Participant.person_id == person.id,
        )
    )
    if exists is not None:
        return False
    session.add(Participant(incident_id=incident.id, person_id=person.id, role=role, rank=1, called_at=at))
    record_event(
        session,
        incident=incident,
        at=at,
        kind="called",
        summary=f"{person.name} called as {role}",
        new={"person": person.key, "role": role},
    )
    return True


@task(name="call-the-cell")
def call_the_cell(incident_id: int) -> list[str]:
    """Queue an alert for the primary of each role the playbook calls; return who was newly called."""
    runtime = current_runtime()
    now = runtime.now()
    called = []
    with transaction(runtime.sessions) as session:
        incident = session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()
        if incident.status not in IncidentStatus.open_statuses():
            return []
        if incident.status == IncidentStatus.DETECTED:
            change_status(session, incident=incident, to=IncidentStatus.MOBILISING, at=now)
        kit = require_kit(session)
        all_covers = required_cover(session, incident=incident, kit=kit)
        gaps = find_gaps(all_covers, kit=kit, incident=incident)
        context = alert_context(session, incident=incident, gaps=gaps)
        covers = [c for c in all_covers if c.primary is not None]
        for cover in covers:
            person = cover.primary
            assert person is not None
            if not _join_cell(session, incident=incident, person=person, role=cover.role, at=now):
                continue
            called.append(f"{person.name} ({cover.role})")
            enqueue(
                session,
                key=f"incident:{incident.id}/surround/{cover.role}/person:{person.id}",
                template="alert",
                locale=person.locale,
                context={**context, "role": cover.role, "person_name": person.name},
                route=route_for(person, available=runtime.available_channels),
                at=now,
                incident_id=incident.id,
                person_id=person.id,
                is_drill=incident.is_drill,
            )
        if "slack" in runtime.available_channels:
            cell = [{"name": c.primary.name, "role": c.role} for c in covers if c.primary is not None]
            enqueue(
                session,
                key=f"incident:{incident.id}/slack/room",
                template="room_summary",
                locale=kit.kit.locale,
                context={**context, "cell": cell},
                route=[["slack", "room"]],
                at=now,
                incident_id=incident.id,
                is_drill=incident.is_drill,
            )
    return called


@task(name="send-notifications")
def send_notifications(incident_id: int) -> dict[str, int]:
    """Send this incident's due outbox rows through their channels."""
    runtime = current_runtime()
    report = dispatch_due(
        runtime.sessions, channels=runtime.channels, now=runtime.now(), incident_id=incident_id
    )
    return dict(vars(report))


@flow(name="surround")
def surround(incident_id: int) -> list[str]:
    """Assemble the crisis cell: call who the playbook asks for, then deliver the alerts."""
    called = call_the_cell(incident_id)
    send_notifications(incident_id)
    return called
