"""Response metrics and impact, computed from milestones and signals only. Pure functions.

Each response time runs from one stamp to another (DOMAIN.md, *What people measure*). Targets come from
the incident's playbook; where one exists the time is *met* (reached within it), *missed* (reached late,
or the deadline passed without it), *pending* (the incident is open and the deadline still ahead) or
*not reached* (the incident ended before both the milestone and its deadline: nothing to hold it to).
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flows.postmortem.facts import IncidentRecord, ResponseTargets


class Verdict(enum.StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"
    NOT_REACHED = "not_reached"


@dataclass(frozen=True)
class MetricSpec:
    """One response time: from which stamp, to which milestone, held to which target."""

    key: str
    start: str  # a milestone, or "first_draft_at" (a draft's wait for its quorum)
    end: str
    target: str | None  # the `ResponseTargets` field, None where the playbook sets none


METRICS = (
    MetricSpec("detect", "first_signal_at", "detected_at", None),
    MetricSpec("acknowledge", "detected_at", "acknowledged_at", "acknowledge"),
    MetricSpec("assemble", "detected_at", "cell_assembled_at", "assemble"),
    MetricSpec("first_statement", "detected_at", "first_statement_at", "first_statement"),
    MetricSpec("approval", "first_draft_at", "approved_at", "approval"),
    MetricSpec("publication", "detected_at", "published_at", None),
    MetricSpec("resolution", "detected_at", "resolved_at", None),
)
METRIC_KEYS = tuple(m.key for m in METRICS)


@dataclass(frozen=True)
class ResponseTime:
    key: str
    start: datetime | None
    end: datetime | None
    target: timedelta | None
    verdict: Verdict | None  # None: no target, or nothing to measure from

    @property
    def duration(self) -> timedelta | None:
        if self.start is None or self.end is None:
            return None
        return self.end - self.start


def response_times(
    *,
    milestones: dict[str, datetime | None],
    targets: ResponseTargets,
    first_draft_at: datetime | None,
    as_of: datetime,
) -> tuple[ResponseTime, ...]:
    """Every response time of one incident, as things stood at `as_of` (an open incident's "now")."""
    stamps = {**milestones, "first_draft_at": first_draft_at}
    ended = milestones.get("resolved_at")
    horizon = min(as_of, ended) if ended else as_of
    found = []
    for spec in METRICS:
        start, end = stamps.get(spec.start), stamps.get(spec.end)
        target = getattr(targets, spec.target) if spec.target else None
        found.append(ResponseTime(spec.key, start, end, target, _verdict(start, end, target, horizon, ended)))
    return tuple(found)


def _verdict(
    start: datetime | None,
    end: datetime | None,
    target: timedelta | None,
    horizon: datetime,
    ended: datetime | None,
) -> Verdict | None:
    if target is None or start is None:
        return None
    if end is not None:
        return Verdict.MET if end - start <= target else Verdict.MISSED
    if horizon - start > target:
        return Verdict.MISSED
    return Verdict.NOT_REACHED if ended else Verdict.PENDING


def record_response_times(record: IncidentRecord, *, as_of: datetime) -> tuple[ResponseTime, ...]:
    """`response_times` for a record read from the store."""
    return response_times(
        milestones=record.milestones,
        targets=record.targets,
        first_draft_at=record.first_draft_at,
        as_of=as_of,
    )


@dataclass(frozen=True)
class Impact:
    """How big the attack was, as the signals and the review cases tell it."""

    signals: int
    reach: int  # the sum of the reach the signals reported
    reach_known: int  # how many signals reported one
    authors: int  # distinct authors named
    platforms: tuple[tuple[str, int], ...]  # most signals first
    lowest_rating: int | None
    rating_before: float | None  # the place's average when the first review case opened
    rating_after: float | None  # as last recorded on a review case
    first_signal_at: datetime | None
    last_signal_at: datetime | None


def impact(record: IncidentRecord) -> Impact:
    signals = record.signals
    reaches = [s.reach for s in signals if s.reach is not None]
    ratings = [s.rating for s in signals if s.rating is not None]
    platforms = Counter(s.platform for s in signals)
    before = [r.rating_before for r in record.reviews if r.rating_before is not None]
    after = [r.rating_after for r in record.reviews if r.rating_after is not None]
    return Impact(
        signals=len(signals),
        reach=sum(reaches),
        reach_known=len(reaches),
        authors=len({s.author for s in signals if s.author}),
        platforms=tuple(sorted(platforms.items(), key=lambda item: (-item[1], item[0]))),
        lowest_rating=min(ratings, default=None),
        rating_before=before[0] if before else None,
        rating_after=after[-1] if after else None,
        first_signal_at=signals[0].at if signals else None,
        last_signal_at=signals[-1].at if signals else None,
    )
