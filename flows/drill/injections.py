"""A scenario's signals: what a drill injects, and how one arrives — stored and triaged like any report.

Shared by the simulated drill (on its clock) and the live drill (on the minute tick); imports no Prefect,
so reading or starting a live drill does not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from flows.drill.scenario import InjectedSignal, Scenario
from flows.intake.reports import SignalReport, Triage, record_signal, triage_with_kit_in_force
from flows.kit.schema import Kit


def injections(scenario: Scenario, kit: Kit, *, prefix: str) -> Iterator[tuple[SignalReport, timedelta]]:
    """Every signal the scenario injects, with its offset from the start; `prefix` makes each one's
    external id unique to the drill (the same review injected twice is one signal)."""
    for index, injected in enumerate(scenario.signals):
        for n in range(injected.count):
            yield (
                _report(injected, kit, f"{prefix}-{index}-{n}", n),
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


def inject(session: Session, report: SignalReport, *, at: datetime) -> Triage:
    """A drill's signal arrives: stored and triaged like one from any front door, marked as an exercise."""
    signal, _ = record_signal(session, report=report, source="drill", at=at)
    return triage_with_kit_in_force(session, signal_id=signal.id, at=at)
