"""A simulated drill: the real crisis protocol, played by scripted people on a simulated clock.

One run takes a fresh, empty store (the front door makes it: a drill never writes into the real one),
loads the kit, injects the scenario's signals at their times, and runs `crisis_response` after every
event that lands while no flow is waiting. The clock jumps from event to event, so a 72-hour scenario
takes seconds; everything is drawn from the seed, so a seed replays the same run.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flows.crisis import crisis_response
from flows.drill.players import Players, Stumble, cast
from flows.drill.scenario import InjectedSignal, Scenario
from flows.drill.scoring import TIMED, Observation, Rating, TargetResult, rate, score, targets_for
from flows.intake import SignalReport, record_signal, triage_signal
from flows.kit import load_kit, require_kit_version
from flows.playbook import Kit
from flows.runtime import Runtime, SimulatedClock, SimulatedWaiter, use_runtime
from models import (
    Approval,
    Commitment,
    Decision,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    IncidentStatus,
    Notification,
    Person,
    PostMortem,
    TimelineEvent,
    transaction,
)
from notifications import ConsoleChannel


@dataclass(frozen=True)
class DrillOutcome:
    """One run, as the journal keeps it."""

    scenario: str
    seed: int
    incident_ref: str
    absent: tuple[str, ...]
    results: tuple[TargetResult, ...]
    rating: Rating
    events: tuple[dict[str, object], ...]  # the timeline, messages and stumbles, by offset from the start
    report_markdown: str | None  # the post-mortem, when the drill reached resolution


def play(
    scenario: Scenario, kit: Kit, *, seed: int, sessions: sessionmaker[Session], kit_sha256: str
) -> DrillOutcome:
    """Run the scenario once against `kit` in the empty store `sessions`; what happened and its score."""
    with transaction(sessions) as session:
        load_kit(session, kit=kit, source=f"drill:{scenario.name}", sha256=kit_sha256)
    start = scenario.scenario.start
    clock = SimulatedClock(start)
    rng = random.Random(seed)
    players = Players(
        inner=ConsoleChannel(io.StringIO()),
        clock=clock,
        sessions=sessions,
        scenario=scenario,
        kit=kit,
        players=cast(scenario, kit, rng),
        rng=rng,
    )
    runtime = Runtime(
        sessions=sessions, channels={"console": players}, clock=clock, waiter=SimulatedWaiter(clock)
    )
    for report, at in injections(scenario, kit):
        clock.schedule(start + at, partial(_inject, runtime, report))
    end = start + scenario.scenario.duration
    with use_runtime(runtime):
        clock.advance_to(start)
        while True:
            for incident_id in _open_incidents(sessions):
                crisis_response(incident_id)
            players.look_around()
            upcoming = clock.next_event_at()
            if upcoming is None or upcoming > end:
                break
            clock.advance_to(upcoming)
    with transaction(sessions) as session:
        incident = session.scalars(select(Incident).order_by(Incident.id).limit(1)).one()
        observed = observe(session, incident, scenario, kit, end=end)
        playbook = kit.playbook_for(incident.attack_type)
        results = score(
            observed, timed=targets_for(scenario.targets, playbook.targets), checks=scenario.targets
        )
        report = session.scalar(
            select(PostMortem.report_markdown).where(PostMortem.incident_id == incident.id)
        )
        return DrillOutcome(
            scenario=scenario.name,
            seed=seed,
            incident_ref=incident.ref,
            absent=tuple(key for key, player in players.players.items() if player.absent),
            results=tuple(results),
            rating=rate(observed, results),
            events=tuple(_journal(session, incident, players.stumbles, start)),
            report_markdown=report,
        )


def injections(scenario: Scenario, kit: Kit) -> Iterator[tuple[SignalReport, timedelta]]:
    """Every signal the scenario injects, with its offset from the start."""
    for index, injected in enumerate(scenario.signals):
        for n in range(injected.count):
            yield (
                _report(injected, kit, f"drill-{scenario.name}-{index}-{n}", n),
                injected.at + (injected.spread * n / injected.count),
            )


def _report(injected: InjectedSignal, kit: Kit, external_id: str, n: int) -> SignalReport:
    author = injected.author if injected.authors == 1 else f"{injected.author}-{n % injected.authors + 1}"
    return SignalReport(
        target=injected.target or kit.kit.name,
        text=injected.text,
        platform=injected.platform,
        attack_type=injected.attack_type,
        external_id=external_id,
        author=author,
        rating=injected.rating,
        reach=injected.reach,
        reported_by="drill",
        is_drill=True,
    )


def _inject(runtime: Runtime, report: SignalReport) -> None:
    """A signal arrives: stored and triaged like one from any front door, marked as a drill's."""
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        signal, _ = record_signal(session, report=report, source="drill", at=now)
        version, kit = require_kit_version(session)
        triage_signal(session, signal_id=signal.id, kit=kit, kit_version_id=version.id, at=now)


def _open_incidents(sessions: sessionmaker[Session]) -> list[int]:
    with transaction(sessions) as session:
        open_ = Incident.status.in_(IncidentStatus.open_statuses())
        return list(session.scalars(select(Incident.id).where(open_).order_by(Incident.id)))


def observe(
    session: Session, incident: Incident, scenario: Scenario, kit: Kit, *, end: datetime
) -> Observation:
    """Read what the targets need from the store, as it stood at the drill's `end`."""
    holding_approved = session.scalar(
        select(func.min(Draft.approved_at)).where(
            Draft.incident_id == incident.id, Draft.kind == DraftKind.HOLDING_STATEMENT
        )
    )
    stamps = {
        "acknowledged_at": incident.acknowledged_at,
        "cell_assembled_at": incident.cell_assembled_at,
        "holding_approved_at": holding_approved,
        "first_statement_at": incident.first_statement_at,
        "resolved_at": incident.resolved_at,
    }
    assert set(stamps) == set(TIMED.values())
    recorded = set(session.scalars(select(Commitment.text).where(Commitment.incident_id == incident.id)))
    wanted = scenario.exit.commitments if scenario.exit else []
    return Observation(
        detected_at=incident.detected_at,
        milestones={k: v if v is not None and v <= end else None for k, v in stamps.items()},
        quorum_breaches=tuple(quorum_breaches(session, incident, kit)),
        commitments_missing=tuple(c.text for c in wanted if c.text not in recorded),
    )


def quorum_breaches(session: Session, incident: Incident, kit: Kit) -> Iterator[str]:
    """Each published text whose final version lacks approvals from enough distinct roles, or counts
    its author's — checked from the approval rows alone, not through the code that enforced it."""
    policy = kit.playbook_for(incident.attack_type).approval
    published = session.scalars(
        select(Draft).where(Draft.incident_id == incident.id, Draft.status == DraftStatus.PUBLISHED)
    )
    for draft in published:
        approvals = session.scalars(
            select(Approval).where(
                Approval.draft_id == draft.id,
                Approval.version == draft.version,
                Approval.decision == Decision.APPROVE,
                Approval.voided_at.is_(None),
            )
        ).all()
        voters = [a for a in approvals if a.person_id != draft.author_id]
        heard = len({a.role for a in voters}) if policy.distinct_roles else len(voters)
        if heard < policy.approvers or len(voters) < len(approvals):
            yield f"{draft.label} was published with {heard} of {policy.approvers} approvals"


def _journal(
    session: Session, incident: Incident, stumbles: list[Stumble], start: datetime
) -> Iterator[dict[str, object]]:
    """The run's story by offset from the start: timeline events, messages sent, acts refused."""
    entries: list[tuple[datetime, int, dict[str, object]]] = []
    for event in session.scalars(
        select(TimelineEvent).where(TimelineEvent.incident_id == incident.id).order_by(TimelineEvent.id)
    ):
        entries.append((event.at, 0, {"kind": event.kind, "actor": event.actor, "summary": event.summary}))
    sent = session.execute(
        select(Notification.sent_at, Notification.template, Person.key)
        .join(Person, Person.id == Notification.person_id, isouter=True)
        .where(Notification.incident_id == incident.id, Notification.sent_at.is_not(None))
        .order_by(Notification.id)
    )
    for at, template, person in sent:
        entries.append((at, 1, {"kind": "message", "actor": person, "summary": template}))
    for stumble in stumbles:
        entries.append(
            (
                stumble.at,
                2,
                {"kind": "stumble", "actor": stumble.who, "summary": f"{stumble.act}: {stumble.reason}"},
            )
        )
    for at, _, entry in sorted(entries, key=lambda e: (e[0], e[1])):
        yield {"at": int((at - start).total_seconds()), **entry}
