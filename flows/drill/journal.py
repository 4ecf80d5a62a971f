"""The drill journal: each run written to the store as it ended, and read back as a summary.

Writing a run is one transaction; a series (`--runs N`) shares a `series` id so its summary can be read
again later. Results are kept as plain JSON: seconds, not timedeltas, so any tool can read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.drill.scenario import Scenario
from flows.drill.scoring import PASS_SHARE, Rating, TargetResult, TargetSummary, summarise
from models import Drill, DrillMode

if TYPE_CHECKING:  # the journal is read by the audit, which the protocol itself imports
    from flows.drill.simulated import DrillOutcome


def new_series() -> str:
    return uuid.uuid4().hex


def result_json(result: TargetResult) -> dict[str, object]:
    return {
        "key": result.key,
        "target_s": _seconds(result.target),
        "value_s": _seconds(result.value),
        "met": result.met,
        "detail": result.detail,
    }


def result_from_json(data: dict[str, object]) -> TargetResult:
    return TargetResult(
        key=str(data["key"]),
        target=_delta(data.get("target_s")),
        value=_delta(data.get("value_s")),
        met=bool(data["met"]),
        detail=str(data.get("detail") or ""),
    )


def record_simulated(
    session: Session,
    *,
    outcome: DrillOutcome,
    scenario: Scenario,
    series: str,
    kit_sha256: str,
    started_at: datetime,
    ended_at: datetime,
) -> Drill:
    """Write one simulated run to the journal (the caller's transaction)."""
    drill = Drill(
        scenario=scenario.name,
        title=scenario.title("en"),
        mode=DrillMode.SIMULATED,
        series=series,
        seed=outcome.seed,
        kit_sha256=kit_sha256,
        incident_ref=outcome.incident_ref,
        attack_type=outcome.attack_type,
        started_at=started_at,
        ended_at=ended_at,
        rating=outcome.rating.value,
        results=[result_json(r) for r in outcome.results],
        events=list(outcome.events),
        absent=list(outcome.absent),
        document=scenario.model_dump(mode="json"),
        report_markdown=outcome.report_markdown,
    )
    session.add(drill)
    session.flush()
    return drill


@dataclass(frozen=True)
class SeriesSummary:
    scenario: str
    runs: int
    targets: list[TargetSummary]
    ratings: dict[Rating, int]


def series_summary(drills: Sequence[Drill]) -> SeriesSummary:
    """Per target, the share of runs that met it and the spread of its times; and the ratings given."""
    results = [[result_from_json(r) for r in drill.results or []] for drill in drills]
    ratings = [Rating(d.rating) for d in drills if d.rating]
    return SeriesSummary(
        scenario=drills[0].scenario if drills else "",
        runs=len(drills),
        targets=summarise(results),
        ratings={rating: ratings.count(rating) for rating in Rating},
    )


def drills_of_series(session: Session, series: str) -> list[Drill]:
    return list(session.scalars(select(Drill).where(Drill.series == series).order_by(Drill.id)))


def failing(summary: SeriesSummary) -> set[str]:
    """The targets fewer than `PASS_SHARE` of the runs met."""
    return {t.key for t in summary.targets if t.share_met < PASS_SHARE}


def latest_failing_targets(session: Session) -> dict[str, tuple[str, datetime, tuple[str, ...]]]:
    """Per attack type rehearsed: the latest finished drill (or series) — its scenario, when it ended,
    and the targets it failed."""
    found: dict[str, tuple[str, datetime, tuple[str, ...]]] = {}
    ended = select(Drill).where(Drill.ended_at.is_not(None), Drill.attack_type.is_not(None))
    for drill in session.scalars(ended.order_by(Drill.id.desc())):
        if drill.attack_type in found:
            continue
        if drill.series is not None:
            keys = failing(series_summary(drills_of_series(session, drill.series)))
        else:
            keys = {r.key for r in map(result_from_json, drill.results or []) if not r.met}
        assert drill.attack_type is not None and drill.ended_at is not None
        found[drill.attack_type] = (drill.scenario, drill.ended_at, tuple(sorted(keys)))
    return found


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def _delta(value: object) -> timedelta | None:
    return None if value is None else timedelta(seconds=float(value))  # type: ignore[arg-type]
