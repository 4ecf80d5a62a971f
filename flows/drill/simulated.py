"""A simulated drill: the real crisis protocol, played by scripted people on a simulated clock.

One run takes a fresh, empty store (the front door makes it: a drill never writes into the real one),
loads the kit, injects the scenario's signals at their times, and runs `crisis_response` again whenever
something lands while no flow is waiting: a person's act, or a signal that opens or re-grades an
incident (a signal that merely joins one starts nothing, as in server mode: storm control). The clock
jumps from event to event, so a 72-hour scenario takes seconds; everything is drawn from the seed, so a
seed replays the same run.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.crisis import crisis_response
from flows.drill.injections import inject, injections
from flows.drill.players import Players, cast
from flows.drill.record import journal_events, judge
from flows.drill.scenario import Scenario
from flows.drill.scoring import Rating, TargetResult
from flows.exit_on_top.library_carry import CarriedText, carry_library
from flows.intake.reports import SignalReport
from flows.kit.loading import load_kit
from flows.kit.schema import Kit
from flows.postmortem import post_mortem_due
from flows.runtime import Runtime, SimulatedClock, SimulatedWaiter, use_runtime
from models import (
    Incident,
    IncidentStatus,
    PostMortem,
    transaction,
)
from notifications import ConsoleChannel


@dataclass(frozen=True)
class DrillOutcome:
    """One run, as the journal keeps it."""

    scenario: str
    seed: int
    incident_ref: str
    attack_type: str
    absent: tuple[str, ...]
    results: tuple[TargetResult, ...]
    rating: Rating
    events: tuple[dict[str, object], ...]  # the timeline, messages and stumbles, by offset from the start
    report_markdown: str | None  # the post-mortem, when the drill reached resolution


def play(
    scenario: Scenario,
    kit: Kit,
    *,
    seed: int,
    sessions: sessionmaker[Session],
    kit_sha256: str,
    library: Sequence[CarriedText] = (),
) -> DrillOutcome:
    """Run the scenario once against `kit` in the empty store `sessions`; what happened and its score.

    `library`: the approved statement library of the real store, carried in before the first signal.
    """
    start = scenario.scenario.start
    with transaction(sessions) as session:
        load_kit(session, kit=kit, source=f"drill:{scenario.name}", sha256=kit_sha256)
        carry_library(session, texts=library, at=start)
    clock = SimulatedClock(start)
    rng = random.Random(seed)
    players = Players(
        inner=ConsoleChannel(io.StringIO()),
        clock=clock,
        sessions=sessions,
        scenario=scenario,
        players=cast(scenario, kit, rng),
        rng=rng,
    )
    runtime = Runtime(
        sessions=sessions, channels={"console": players}, clock=clock, waiter=SimulatedWaiter(clock)
    )
    for report, at in injections(scenario, kit, prefix=f"drill-{scenario.name}"):
        clock.schedule(start + at, partial(_inject, runtime, players, report))
    end = start + scenario.scenario.duration
    with use_runtime(runtime):
        _play(clock, players, sessions, start=start, end=end)
    return _outcome(scenario, kit, seed=seed, sessions=sessions, players=players, end=end)


def _play(
    clock: SimulatedClock,
    players: Players,
    sessions: sessionmaker[Session],
    *,
    start: datetime,
    end: datetime,
) -> None:
    """Advance the simulated clock event by event; run the protocol again whenever someone acted."""
    clock.advance_to(start)
    while True:
        if players.acted:
            players.acted, players.in_protocol = False, True
            for incident_id in _incidents_to_run(sessions):
                crisis_response(incident_id)
            players.in_protocol = False
        players.look_around()
        upcoming = clock.next_event_at()
        if upcoming is None or upcoming > end:
            return
        clock.advance_to(upcoming)


def _outcome(
    scenario: Scenario,
    kit: Kit,
    *,
    seed: int,
    sessions: sessionmaker[Session],
    players: Players,
    end: datetime,
) -> DrillOutcome:
    """What the run left in its store, judged against the scenario's targets."""
    with transaction(sessions) as session:
        incident = session.scalars(select(Incident).order_by(Incident.id).limit(1)).one()
        results, rating = judge(session, incident, scenario, kit, end=end)
        report = session.scalar(
            select(PostMortem.report_markdown).where(PostMortem.incident_id == incident.id)
        )
        return DrillOutcome(
            scenario=scenario.name,
            seed=seed,
            incident_ref=incident.ref,
            attack_type=incident.attack_type.value,
            absent=tuple(key for key, player in players.players.items() if player.absent),
            results=tuple(results),
            rating=rating,
            events=tuple(journal_events(session, incident, players.stumbles, scenario.scenario.start)),
            report_markdown=report,
        )


def _inject(runtime: Runtime, players: Players, report: SignalReport) -> None:
    with transaction(runtime.sessions) as session:
        triage = inject(session, report, at=runtime.now())
    if triage.opened or triage.regraded:
        players.acted = True


def _incidents_to_run(sessions: sessionmaker[Session]) -> list[int]:
    """Open incidents, and resolved ones still owed their post-mortem (the drill's report)."""
    with transaction(sessions) as session:
        incidents = session.scalars(select(Incident).order_by(Incident.id)).all()
        due = [
            i for i in incidents if i.status in IncidentStatus.open_statuses() or post_mortem_due(session, i)
        ]
        return [i.id for i in due]
