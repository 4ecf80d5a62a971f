"""Scoring a drill: each target met or not with its measured value, and the exercise's overall rating.

Pure functions over what one run observed. Times run from detection. A milestone never reached within
the drill misses its target. The rating follows the exercise-evaluation scale (DOMAIN.md): the cell
never gathered → unable to be performed; every target met → without challenges; a core target missed
(assembling the cell, approving or posting the holding statement) or half the targets missed → with major
challenges; otherwise → with some challenges.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.drill.scenario import DrillTargets
from flows.kit.schema import Targets
from flows.postmortem.period import median, percentile

# Target key → the milestone it times, from detection.
TIMED = {
    "acknowledge": "acknowledged_at",
    "assemble": "cell_assembled_at",
    "holding_approved": "holding_approved_at",
    "first_statement": "first_statement_at",
    "resolved": "resolved_at",
}
CORE = frozenset({"assemble", "holding_approved", "first_statement"})
PASS_SHARE = 0.9  # across a series, a target holds when at least nine runs in ten meet it


class Rating(enum.StrEnum):
    WITHOUT_CHALLENGES = "performed without challenges"
    SOME_CHALLENGES = "performed with some challenges"
    MAJOR_CHALLENGES = "performed with major challenges"
    UNABLE = "unable to be performed"


@dataclass(frozen=True)
class Observation:
    """What one run left on the record, as far as the targets care."""

    detected_at: datetime
    milestones: dict[str, datetime | None]  # the TIMED milestones
    quorum_breaches: tuple[str, ...]  # one sentence per published text that lacked its quorum
    commitments_missing: tuple[str, ...]  # the scenario's commitments not on the record


@dataclass(frozen=True)
class TargetResult:
    key: str
    target: timedelta | None  # None for the yes/no checks
    value: timedelta | None  # from detection; None: never reached within the drill
    met: bool
    detail: str = ""  # for a failed check, what broke it


def targets_for(drill: DrillTargets, playbook: Targets) -> dict[str, timedelta]:
    """The timed targets: the scenario's, else the playbook's (acknowledge, assemble, first statement)."""
    found = {
        "acknowledge": drill.acknowledge or playbook.acknowledge,
        "assemble": drill.assemble or playbook.assemble,
        "holding_approved": drill.holding_approved,
        "first_statement": drill.first_statement or playbook.first_statement,
        "resolved": drill.resolved,
    }
    return {key: limit for key, limit in found.items() if limit is not None}


def score(observed: Observation, *, timed: dict[str, timedelta], checks: DrillTargets) -> list[TargetResult]:
    results = []
    for key, limit in timed.items():
        reached = observed.milestones.get(TIMED[key])
        value = reached - observed.detected_at if reached is not None else None
        results.append(TargetResult(key, limit, value, value is not None and value <= limit))
    if checks.quorum_respected:
        breaches = observed.quorum_breaches
        results.append(TargetResult("quorum_respected", None, None, not breaches, "; ".join(breaches)))
    if checks.commitments_recorded:
        missing = observed.commitments_missing
        results.append(TargetResult("commitments_recorded", None, None, not missing, "; ".join(missing)))
    return results


def rate(observed: Observation, results: Sequence[TargetResult]) -> Rating:
    if observed.milestones.get("cell_assembled_at") is None:
        return Rating.UNABLE
    missed = [r.key for r in results if not r.met]
    if not missed:
        return Rating.WITHOUT_CHALLENGES
    if CORE.intersection(missed) or len(missed) * 2 >= len(results):
        return Rating.MAJOR_CHALLENGES
    return Rating.SOME_CHALLENGES


@dataclass(frozen=True)
class TargetSummary:
    """One target across runs: how often it was met, and how long it took (runs that reached it)."""

    key: str
    target: timedelta | None
    met: int
    runs: int
    median: timedelta | None
    p90: timedelta | None
    never_reached: int

    @property
    def share_met(self) -> float:
        return self.met / self.runs if self.runs else 0.0


def summarise(runs: Sequence[Sequence[TargetResult]]) -> list[TargetSummary]:
    """Per target, across runs: the share met and the median and p90 of the measured times."""
    keys = list(dict.fromkeys(r.key for results in runs for r in results))
    summaries = []
    for key in keys:
        found = [r for results in runs for r in results if r.key == key]
        values = sorted(r.value for r in found if r.value is not None)
        summaries.append(
            TargetSummary(
                key=key,
                target=found[0].target,
                met=sum(r.met for r in found),
                runs=len(found),
                median=median(values),
                p90=percentile(values, 0.9),
                never_reached=sum(1 for r in found if r.target is not None and r.value is None),
            )
        )
    return summaries
