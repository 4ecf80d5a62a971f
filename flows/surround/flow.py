"""Surround (être entouré): never face an attack alone.

Call the primary of each role the playbook needs; remind whoever stays silent, and the cell while nobody
leads; call their backup when they still do not answer or cannot take it; tell the next escalation tier
about a role nobody can fill. The cell is assembled when every role has an acknowledged member.

Every message is an outbox row with its own key, written in the same transaction as the step that caused
it; sending is a separate step. So the flow can stop anywhere — a crash, or the command line's "no
waiting" runtime — and a later run continues from the store without sending anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from prefect import flow, task
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.kit.cover import find_gaps, next_in_roster, required_cover
from flows.kit.loading import require_kit
from flows.kit.schema import Kit, Playbook
from flows.outbox import send_notifications
from flows.runtime import current_runtime
from flows.surround.cell import load_calls, reachable_for, settle_assembly
from flows.surround.escalation import CallNext, GiveUp, Remind, Step, next_deadline, plan
from flows.surround.reminders import remind_no_lead
from models import (
    Incident,
    IncidentStatus,
    Participant,
    ParticipantStatus,
    Person,
    Signal,
    Target,
    change_status,
    record_event,
    record_event_once,
    transaction,
)
from notifications import enqueue, message_person


@dataclass(frozen=True)
class CellProgress:
    assembled: bool
    next_deadline: datetime | None  # None: nothing more happens unless someone answers
    answers: int  # answers recorded so far; a change wakes the waiting flow


def alert_context(session: Session, *, incident: Incident, kit: Kit) -> dict[str, object]:
    """What every message about this incident says: plain values, frozen when the message is queued."""
    first = session.scalars(
        select(Signal)
        .where(Signal.incident_id == incident.id)
        .order_by(Signal.observed_at, Signal.id)
        .limit(1)
    ).one()
    target = session.get_one(Target, incident.target_id)
    gaps = find_gaps(required_cover(session, incident=incident, kit=kit), kit=kit, incident=incident)
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


@dataclass
class _Step:
    """What applying one escalation step needs to know."""

    session: Session
    incident: Incident
    playbook: Playbook
    context: dict[str, object]
    available: set[str]
    now: datetime

    def message(self, person: Person, *, key: str, template: str, **extra: object) -> None:
        message_person(
            self.session,
            incident=self.incident,
            person=person,
            key=f"incident:{self.incident.id}/{key}",
            template=template,
            context={**self.context, "person_name": person.name, **extra},
            available=self.available,
            at=self.now,
        )

    def event(self, kind: str, summary: str, **values: object) -> None:
        record_event(
            self.session, incident=self.incident, at=self.now, kind=kind, summary=summary, new=values or None
        )


def _apply(step: Step, ctx: _Step) -> None:
    session = ctx.session
    if isinstance(step, Remind):
        call = session.get_one(Participant, step.participant_id)
        person = session.get_one(Person, call.person_id)
        call.reminders_sent += 1
        ctx.message(
            person,
            key=f"surround/{call.role}/person:{person.id}/reminder:{call.reminders_sent}",
            template="reminder",
            role=call.role,
        )
        ctx.event("reminded", f"{person.name} reminded ({call.role})", person=person.key, role=call.role)
    elif isinstance(step, GiveUp):
        call = session.get_one(Participant, step.participant_id)
        person = session.get_one(Person, call.person_id)
        call.status, call.timed_out_at = ParticipantStatus.TIMED_OUT, ctx.now
        ctx.event(
            "timed_out", f"no answer from {person.name} ({call.role})", person=person.key, role=call.role
        )
    elif isinstance(step, CallNext):
        found = next_in_roster(session, role=step.role, after_rank=step.after_rank)
        if found is None:
            _role_unfilled(step.role, ctx)
            return
        person, rank = found
        session.add(
            Participant(
                incident_id=ctx.incident.id, person_id=person.id, role=step.role, rank=rank, called_at=ctx.now
            )
        )
        ctx.message(person, key=f"surround/{step.role}/person:{person.id}", template="alert", role=step.role)
        backup = "" if rank == 1 else f" (backup {rank - 1})"
        ctx.event("called", f"{person.name} called as {step.role}{backup}", person=person.key, role=step.role)


def _role_unfilled(role: str, ctx: _Step) -> None:
    """Nobody left to call for a role: a gap, and the first escalation tier with someone to tell."""
    record_event_once(
        ctx.session,
        incident=ctx.incident,
        at=ctx.now,
        kind="gap",
        summary=f"nobody left to call for the role {role}",
    )
    for tier, roles in enumerate(ctx.playbook.escalation.tiers, start=1):
        people = [
            p
            for r in roles
            if r != role
            for p in reachable_for(ctx.session, incident_id=ctx.incident.id, role=r)
        ]
        if people:
            for person in people:
                ctx.message(
                    person,
                    key=f"unfilled:{role}/tier:{tier}/person:{person.id}",
                    template="escalation",
                    unfilled_role=role,
                    tier=tier,
                )
            record_event_once(
                ctx.session,
                incident=ctx.incident,
                at=ctx.now,
                kind="escalated",
                summary=f"role {role} unfilled: escalation tier {tier} told",
            )
            return
    record_event_once(
        ctx.session,
        incident=ctx.incident,
        at=ctx.now,
        kind="escalated",
        summary=f"role {role} unfilled and no escalation tier can be reached",
    )


def count_answers(session: Session, *, incident_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Participant.incident_id == incident_id, Participant.status != ParticipantStatus.CALLED
            )
        )
        or 0
    )


@task(name="advance-the-cell")
def advance_the_cell(incident_id: int) -> CellProgress:
    """Call, remind, escalate, assemble: every step due now, in one transaction; when the next falls due.

    The escalation plan calls whoever a role still needs, reminds the silent and calls past them; the
    cell is reminded while nobody leads; the cell is assembled once every role has answered.
    """
    runtime = current_runtime()
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        incident = session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()
        if incident.status not in IncidentStatus.open_statuses():
            return CellProgress(assembled=False, next_deadline=None, answers=0)
        if incident.status == IncidentStatus.DETECTED:
            change_status(session, incident=incident, to=IncidentStatus.MOBILISING, at=now)
        kit = require_kit(session)
        playbook = kit.playbook_for(incident.attack_type)
        roles = playbook.roles_for(incident.severity)
        ctx = _Step(
            session,
            incident,
            playbook,
            alert_context(session, incident=incident, kit=kit),
            runtime.available_channels,
            now,
        )
        for step in plan(load_calls(session, incident_id=incident_id), roles, playbook.escalation, now):
            _apply(step, ctx)
        session.flush()
        no_lead_due = remind_no_lead(
            session,
            incident=incident,
            playbook=playbook,
            context=ctx.context,
            available=ctx.available,
            now=now,
        )
        _post_room_summary(ctx, kit)
        assembled = settle_assembly(session, incident=incident, kit=kit, at=now)
        escalation_due = next_deadline(
            load_calls(session, incident_id=incident_id), roles, playbook.escalation
        )
        deadlines = [d for d in (escalation_due, no_lead_due) if d is not None]
        return CellProgress(
            assembled, min(deadlines, default=None), count_answers(session, incident_id=incident_id)
        )


def _post_room_summary(ctx: _Step, kit: Kit) -> None:
    """Once per incident, when Slack is configured: the summary in the incident's own channel."""
    if "slack" not in ctx.available:
        return
    cell = [
        {"name": person.name, "role": role}
        for role, person in ctx.session.execute(
            select(Participant.role, Person)
            .join(Person, Participant.person_id == Person.id)
            .where(Participant.incident_id == ctx.incident.id)
            .order_by(Participant.id)
        )
    ]
    enqueue(
        ctx.session,
        key=f"incident:{ctx.incident.id}/slack/room",
        template="room_summary",
        locale=kit.kit.locale,
        context={**ctx.context, "cell": cell},
        route=[["slack", "room"]],
        at=ctx.now,
        incident_id=ctx.incident.id,
        is_drill=ctx.incident.is_drill,
    )


def _answers(incident_id: int) -> int:
    with transaction(current_runtime().sessions) as session:
        return count_answers(session, incident_id=incident_id)


@flow(name="surround")
def surround(incident_id: int) -> bool:
    """Assemble the crisis cell; return whether it is assembled when the flow stops."""
    runtime = current_runtime()
    while True:
        progress = advance_the_cell(incident_id)
        send_notifications(incident_id)
        if progress.assembled or progress.next_deadline is None or runtime.waiter is None:
            return progress.assembled
        runtime.waiter.wait_until(
            lambda seen=progress.answers: _answers(incident_id) != seen, progress.next_deadline
        )
