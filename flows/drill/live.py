"""A live drill: the real cell, the real channels, the real clock — every message marked as an exercise.

Starting it injects the scenario's first signals as exercise signals (`is_drill`): they open an exercise
incident (EXE-…), which never joins a real one and never counts in real metrics. The scenario's later
signals arrive on the real clock, injected by the minute tick. People answer as in a crisis; nothing is
published (statements are recorded as simulated, public replies refused). Stopping it scores it against
the scenario's targets, closes the incident where it stands, and asks the cell's hot-wash questions.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.drill.injections import inject, injections
from flows.drill.journal import result_json
from flows.drill.record import journal_events, judge
from flows.drill.scenario import Scenario
from flows.intake.reports import Triage
from flows.kit.loading import require_kit_version, version_opened_under
from flows.kit.schema import Kit
from flows.refusals import Refusal
from models import Drill, DrillMode, Incident, IncidentStatus, change_status, record_event
from notifications.render import clean_text

HOT_WASH = (
    "What went well?",
    "What was hard, or slowed us down?",
    "What surprised us?",
    "What do we change before the next drill — who, by when?",
)
MAX_ANSWER_CHARS = 4000


class DrillError(Refusal, ValueError):
    """A drill command that cannot be done as asked; the message says why and what to do."""


def running_drills(session: Session) -> list[Drill]:
    return list(
        session.scalars(
            select(Drill).where(Drill.mode == DrillMode.LIVE, Drill.ended_at.is_(None)).order_by(Drill.id)
        )
    )


def start_live_drill(session: Session, *, scenario: Scenario, now: datetime) -> tuple[Drill, list[Triage]]:
    """Journal the drill and inject its first signals (one transaction); what triage did with them."""
    running = running_drills(session)
    if running:
        raise DrillError(
            f"A live drill is running already ({running[0].incident_ref}, {running[0].scenario}): "
            "stop it first.",
            kind="live_drill_running",
        )
    version, _ = require_kit_version(session)
    drill = Drill(
        scenario=scenario.name,
        title=scenario.title("en"),
        mode=DrillMode.LIVE,
        kit_sha256=version.sha256,
        started_at=now,
        document=scenario.model_dump(mode="json"),
    )
    session.add(drill)
    session.flush()
    triaged = inject_due_signals(session, drill=drill, now=now)
    incident = session.get_one(Incident, triaged[0].incident_id)
    drill.incident_id, drill.incident_ref = incident.id, incident.ref
    record_event(
        session,
        incident=incident,
        at=now,
        kind="drill",
        summary=f"EXERCICE / DRILL — live drill of the scenario {scenario.name} started",
    )
    return drill, triaged


def inject_due_signals(session: Session, *, drill: Drill, now: datetime) -> list[Triage]:
    """Inject the scenario's signals whose time has come; those already in are found, not doubled."""
    scenario = Scenario.model_validate(drill.document)
    _, kit = require_kit_version(session)
    return [
        inject(session, report, at=now)
        for report, offset in injections(scenario, kit, prefix=f"drill{drill.id}")
        if drill.started_at + offset <= now
    ]


def advance_live_drills(session: Session, *, now: datetime) -> None:
    """For every running live drill, inject what is due (the tick then runs every open incident)."""
    for drill in running_drills(session):
        inject_due_signals(session, drill=drill, now=now)


def find_running(session: Session, ref: str | None) -> Drill:
    """The running live drill of `ref`, or the only one running."""
    running = running_drills(session)
    if ref is not None:
        running = [d for d in running if d.incident_ref == ref.upper()]
    if not running:
        raise DrillError(f"No live drill {ref} is running." if ref else "No live drill is running.")
    if len(running) > 1:
        refs = ", ".join(d.incident_ref or "?" for d in running)
        raise DrillError(f"Several live drills are running ({refs}): name the one to stop.")
    return running[0]


def stop_live_drill(session: Session, *, drill: Drill, now: datetime, actor: str | None = None) -> Drill:
    """Score the drill against its targets as things stand, close its incident, and journal the result."""
    incident = session.scalars(
        select(Incident).where(Incident.id == drill.incident_id).with_for_update()
    ).one()
    scenario = Scenario.model_validate(drill.document)
    kit = _kit_of(session, incident)
    results, rating = judge(session, incident, scenario, kit, end=now, live=True)
    if incident.status in IncidentStatus.open_statuses():
        change_status(session, incident=incident, to=IncidentStatus.CLOSED, at=now, actor=actor)
    record_event(
        session,
        incident=incident,
        at=now,
        kind="drill",
        actor=actor,
        summary="EXERCICE / DRILL — drill stopped",
    )
    drill.ended_at, drill.attack_type = now, incident.attack_type.value
    drill.results = [result_json(r) for r in results]
    drill.rating = rating.value
    drill.events = list(journal_events(session, incident, [], drill.started_at))
    return drill


def record_hot_wash(session: Session, *, drill: Drill, answers: list[tuple[str, str]]) -> None:
    """Keep the hot wash's answers with the drill (what the cell said right after it)."""
    if drill.ended_at is None:
        raise DrillError("The hot wash follows the drill: stop it first.")
    kept = []
    for question, answer in answers:
        answer = clean_text(answer).strip()
        if len(answer) > MAX_ANSWER_CHARS:
            raise DrillError(
                f"An answer is too long ({len(answer):,} characters; at most {MAX_ANSWER_CHARS:,})."
            )
        if answer:
            kept.append({"question": question, "answer": answer})
    drill.hot_wash = kept


def _kit_of(session: Session, incident: Incident) -> Kit:
    """The kit the incident was opened under (targets are those it was held to)."""
    version = version_opened_under(session, incident)
    assert version is not None  # an incident is only ever opened under a kit
    return Kit.model_validate(version.document)
