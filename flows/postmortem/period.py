"""The period report: across the incidents of a period, is the team getting faster?

Incidents count in the period their detection falls in ([start, end)); dismissed ones (not an attack after
all) are left out, and drills are reported apart from real incidents (DESIGN.md principle 7). For each
response time: how many incidents reached it, the median and the 90th percentile, and the share of
targets met among those decided (met or missed; pending and not-reached ones have no verdict yet). The
trend compares with the previous period of the same length. Open commitments and action items are the
ones still open now, from incidents detected before the period's end.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.kit.schema import Kit
from flows.postmortem.metrics import METRICS, ResponseTime, Verdict, response_times
from flows.postmortem.targets import response_targets
from models import (
    MILESTONES,
    ActionItem,
    ActionStatus,
    Commitment,
    CommitmentStatus,
    Draft,
    Incident,
    IncidentStatus,
    Person,
)


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The middle value; the mean of the two middle ones for an even count; None for none."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[timedelta], share: float) -> timedelta | None:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


@dataclass(frozen=True)
class MetricSummary:
    key: str
    measured: int  # incidents that reached it
    median: timedelta | None
    p90: timedelta | None
    met: int
    missed: int

    @property
    def share_met(self) -> float | None:
        decided = self.met + self.missed
        return self.met / decided if decided else None


@dataclass(frozen=True)
class PeriodStats:
    start: datetime
    end: datetime
    incidents: int
    by_attack_type: dict[str, int]
    by_severity: dict[str, int]
    metrics: tuple[MetricSummary, ...]

    def metric(self, key: str) -> MetricSummary:
        return next(m for m in self.metrics if m.key == key)


@dataclass(frozen=True)
class IncidentTimes:
    """One incident as the period report counts it."""

    attack_type: str
    severity: str
    times: tuple[ResponseTime, ...]


def summarise(incidents: Sequence[IncidentTimes], *, start: datetime, end: datetime) -> PeriodStats:
    """Counts and response-time statistics of the given incidents. Pure."""
    summaries = []
    for spec in METRICS:
        times = [t for i in incidents for t in i.times if t.key == spec.key]
        durations = [t.duration for t in times if t.duration is not None]
        summaries.append(
            MetricSummary(
                key=spec.key,
                measured=len(durations),
                median=median(durations),
                p90=percentile(durations, 0.9),
                met=sum(t.verdict is Verdict.MET for t in times),
                missed=sum(t.verdict is Verdict.MISSED for t in times),
            )
        )
    return PeriodStats(
        start=start,
        end=end,
        incidents=len(incidents),
        by_attack_type=dict(Counter(i.attack_type for i in incidents).most_common()),
        by_severity=dict(Counter(i.severity for i in incidents).most_common()),
        metrics=tuple(summaries),
    )


@dataclass(frozen=True)
class OpenItem:
    """A commitment (C…) or an action item (A…) still open."""

    ref: str
    label: str
    text: str
    owner: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class PeriodReport:
    drills: bool
    current: PeriodStats
    previous: PeriodStats
    commitments: tuple[OpenItem, ...]
    actions: tuple[OpenItem, ...]


def period_report(
    session: Session, *, start: datetime, end: datetime, drills: bool, as_of: datetime
) -> PeriodReport:
    """The report for [start, end), with the previous period of the same length to compare."""
    if end <= start:
        raise ValueError("the period must end after it starts")
    kits: dict[int | None, Kit | None] = {}
    previous_start = start - (end - start)
    return PeriodReport(
        drills=drills,
        current=summarise(_incident_times(session, start, end, drills, as_of, kits), start=start, end=end),
        previous=summarise(
            _incident_times(session, previous_start, start, drills, as_of, kits),
            start=previous_start,
            end=start,
        ),
        commitments=_open_commitments(session, end, drills, as_of),
        actions=_open_actions(session, end, drills, as_of),
    )


def _in_period(query, start: datetime, end: datetime, drills: bool):  # type: ignore[no-untyped-def]
    return query.where(
        Incident.detected_at >= start,
        Incident.detected_at < end,
        Incident.is_drill.is_(drills),
        Incident.status != IncidentStatus.DISMISSED,
    )


def _incident_times(
    session: Session,
    start: datetime,
    end: datetime,
    drills: bool,
    as_of: datetime,
    kits: dict[int | None, Kit | None],
) -> list[IncidentTimes]:
    incidents = session.scalars(_in_period(select(Incident), start, end, drills).order_by(Incident.id)).all()
    first_drafts = dict(
        session.execute(
            select(Draft.incident_id, func.min(Draft.created_at))
            .where(Draft.incident_id.in_([i.id for i in incidents]))
            .group_by(Draft.incident_id)
        ).all()
    )
    return [
        IncidentTimes(
            attack_type=i.attack_type.value,
            severity=i.severity.value,
            times=response_times(
                milestones={name: getattr(i, name) for name in MILESTONES},
                targets=response_targets(session, incident=i, kits=kits),
                first_draft_at=first_drafts.get(i.id),
                as_of=as_of,
            ),
        )
        for i in incidents
    ]


def _open_commitments(session: Session, end: datetime, drills: bool, as_of: datetime) -> tuple[OpenItem, ...]:
    rows = session.execute(
        select(Commitment, Incident.ref, Person.name)
        .join(Incident, Incident.id == Commitment.incident_id)
        .join(Person, Person.id == Commitment.owner_id)
        .where(
            Commitment.status == CommitmentStatus.OPEN,
            Incident.detected_at < end,
            Incident.is_drill.is_(drills),
        )
        .order_by(Commitment.due_at, Commitment.id)
    ).all()
    labels = _ranks(session, Commitment)
    return tuple(
        OpenItem(ref, f"C{labels[c.id]}", c.text, owner, c.due_at, c.due_at < as_of) for c, ref, owner in rows
    )


def _ranks(session: Session, model: type[Commitment]) -> dict[int, int]:
    """C1, C2…: each commitment's rank within its incident, as `cellule commitments` labels them."""
    rank = func.row_number().over(partition_by=model.incident_id, order_by=model.id)
    return dict(session.execute(select(model.id, rank)).all())


def _open_actions(session: Session, end: datetime, drills: bool, as_of: datetime) -> tuple[OpenItem, ...]:
    rows = session.execute(
        select(ActionItem, Incident.ref, Person.name)
        .join(Incident, Incident.id == ActionItem.incident_id)
        .join(Person, Person.id == ActionItem.owner_id)
        .where(
            ActionItem.status.in_(ActionStatus.open_statuses()),
            Incident.detected_at < end,
            Incident.is_drill.is_(drills),
        )
        .order_by(ActionItem.due_at, ActionItem.id)
    ).all()
    return tuple(OpenItem(ref, a.label, a.text, owner, a.due_at, a.due_at < as_of) for a, ref, owner in rows)
