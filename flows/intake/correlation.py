"""Triage of a request's stored signals: each joins the open incident about its target, or opens one.

The rules are the same for one signal or ten thousand, applied in the order the signals were reported:
one incident per target (the target rows are locked, and their open incidents with them), severity only
rises, a burst of reviews turns the incident into its declared attack type. What changes with the size of
the request is only how often the store is asked: the open incidents are read once, the counts of signals
around each new one are kept in memory for this request's signals and asked of the store only for an
incident that already had signals and only while a rule could still raise its grade, and the links,
review cases and timeline events are written in bulk at the end.
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from flows.intake.rules import SignalFacts, classify, rate_severity
from flows.intake.storing import Arrival, chunks, lock_targets
from flows.kit.schema import Kit
from flows.reviews import open_review_cases
from models import AttackType, Incident, IncidentStatus, Signal, Target, TimelineEvent, next_ref

SIGNALS = Signal.__table__  # Core statements: the ORM's bookkeeping of bulk writes costs more than they do
ANY_RATE = sys.maxsize  # a rate no "signals per hour" condition can refuse


@dataclass(frozen=True)
class Triage:
    incident_id: int
    ref: str
    opened: bool  # False: the signal joined an incident already open
    regraded: bool = False  # the incident's severity rose or its attack type changed


@dataclass
class _Grown:
    """An open incident as this request grows it: the times of the signals it joined to it, sorted."""

    incident: Incident
    opened_here: bool  # no signal in the store belongs to it yet
    observed: list[datetime] = field(default_factory=list)
    rated: list[datetime] = field(default_factory=list)


class _Request:
    """The triage of one request: open incidents in memory, writes gathered for the end."""

    def __init__(self, session: Session, *, kit: Kit, at: datetime, target_ids: set[int]) -> None:
        self.session, self.kit, self.at = session, kit, at
        self.open: dict[int, list[_Grown]] = defaultdict(list)
        for incident in session.scalars(
            select(Incident)
            .where(
                Incident.target_id.in_(target_ids),
                Incident.status.in_(IncidentStatus.open_statuses()),
            )
            .order_by(Incident.id)
            .with_for_update()
        ):
            self.open[incident.target_id].append(_Grown(incident, opened_here=False))
        self.links: dict[int, list[int]] = defaultdict(list)  # incident id → signal ids
        self.events: list[dict[str, Any] | int] = []  # an int: the review case of that index in `reviews`
        self.reviews: list[tuple[Arrival, int]] = []

    def triage(self, signal: Arrival) -> Triage:
        facts = signal.facts
        attack_type = (
            AttackType(signal.claimed_attack_type)
            if signal.claimed_attack_type
            else classify(facts, self.kit.classification)
        )
        since = facts.observed_at - self.kit.playbook_for(attack_type).correlation_window
        candidates = [
            g
            for g in self.open[signal.target_id]
            if g.incident.is_drill == signal.is_drill and g.incident.last_signal_at >= since
        ]
        opened = not candidates
        if opened:
            grown = self._open(signal, attack_type)
        else:
            grown = max(candidates, key=lambda g: g.incident.id)  # the latest, as a person would look
            self._join(grown, signal)
        insort(grown.observed, facts.observed_at)
        if signal.rating is not None:
            insort(grown.rated, facts.observed_at)
            # A rated review gets its own case, evidence frozen now; its event keeps its place here.
            self.events.append(len(self.reviews))
            self.reviews.append((signal, grown.incident.id))
        regraded = self._regrade(grown, signal, facts)
        incident = grown.incident
        return Triage(incident.id, incident.ref, opened=opened, regraded=regraded and not opened)

    def _open(self, signal: Arrival, attack_type: AttackType) -> _Grown:
        rating = rate_severity([signal.facts], self.kit.severity_rules, signals_per_hour=1)
        target = self.session.get_one(Target, signal.target_id)
        incident = Incident(
            ref=next_ref(self.session, prefix="EXE" if signal.is_drill else "CRI", year=self.at.year),
            title=f"{target.name} ({signal.platform})",
            attack_type=attack_type,
            severity=rating.severity,
            status=IncidentStatus.DETECTED,
            target_id=target.id,
            is_drill=signal.is_drill,
            last_signal_at=signal.observed_at,
            first_signal_at=signal.observed_at,
            detected_at=self.at,
        )
        self.session.add(incident)
        self.session.flush()
        self.links[incident.id].append(signal.id)
        self._event(
            incident,
            kind="opened",
            summary=f"{attack_type} about {target.name}, severity {rating.severity}",
            actor=signal.reported_by,
            new={
                "attack_type": attack_type.value,
                "severity": rating.severity.value,
                "because": list(rating.because),
            },
        )
        for milestone in ("first_signal_at", "detected_at"):
            value = getattr(incident, milestone)
            self._event(
                incident, at=value, kind="milestone", summary=milestone, new={milestone: value.isoformat()}
            )
        grown = _Grown(incident, opened_here=True)
        self.open[target.id].append(grown)
        return grown

    def _join(self, grown: _Grown, signal: Arrival) -> None:
        incident = grown.incident
        self.links[incident.id].append(signal.id)
        incident.last_signal_at = max(incident.last_signal_at, signal.observed_at)
        self._event(
            incident,
            kind="signal",
            summary=f"new signal on {signal.platform}" + (f" ({signal.rating}★)" if signal.rating else ""),
            actor=signal.reported_by,
            new={"signal_id": signal.id},
        )

    def _regrade(self, grown: _Grown, signal: Arrival, facts: SignalFacts) -> bool:
        """Re-rate severity (it only ever rises) and turn a burst of reviews into its declared attack type.

        Only the new signal and the counts around it are looked at: the rules only ever raise the grade,
        so what earlier signals earned is already in it. The hourly count is asked for only when a rule
        could still raise the grade with it. Returns whether anything changed: the cell the playbook
        needs may have grown.
        """
        incident = grown.incident
        changed = signal.rating is not None and self._burst(grown, around=facts.observed_at)
        rules = self.kit.severity_rules
        if rate_severity([facts], rules, signals_per_hour=ANY_RATE).severity.rank <= incident.severity.rank:
            return changed  # no count of signals could raise it: the store is not asked
        per_hour = self._busiest(grown, around=facts.observed_at, width=timedelta(hours=1), rated=False)
        rating = rate_severity([facts], rules, signals_per_hour=per_hour)
        if rating.severity.rank > incident.severity.rank:
            old_severity = incident.severity
            incident.severity = rating.severity
            changed = True
            self._event(
                incident,
                kind="severity",
                summary=f"{old_severity} → {rating.severity} ({', '.join(rating.because)})",
                old={"severity": old_severity.value},
                new={"severity": rating.severity.value},
            )
        return changed

    def _burst(self, grown: _Grown, *, around: datetime) -> bool:
        """Turn the incident into the attack type its playbook's burst declares, if enough reviews."""
        incident = grown.incident
        burst = self.kit.playbook_for(incident.attack_type).burst
        if burst is None:
            return False
        if self._busiest(grown, around=around, width=burst.within, rated=True) < burst.reviews:
            return False
        old = incident.attack_type
        incident.attack_type = burst.becomes
        self._event(
            incident,
            kind="reclassified",
            summary=f"{old} → {burst.becomes}: {burst.reviews}+ reviews within {burst.within}",
            old={"attack_type": old.value},
            new={"attack_type": burst.becomes.value},
        )
        return True

    def _busiest(self, grown: _Grown, *, around: datetime, width: timedelta, rated: bool) -> int:
        """Signals of the incident in the busier of the two windows of `width` that end or start at
        `around`: this request's from memory, earlier ones counted in the store (two indexed counts)."""
        times = grown.rated if rated else grown.observed
        before = bisect_right(times, around) - bisect_left(times, around - width)
        after = bisect_right(times, around + width) - bisect_left(times, around)
        if not grown.opened_here:
            stored_before, stored_after = stored_windows(
                self.session, incident_id=grown.incident.id, around=around, width=width, rated=rated
            )
            before, after = before + stored_before, after + stored_after
        return max(before, after)

    def _event(self, incident: Incident, *, at: datetime | None = None, **fields: Any) -> None:
        self.events.append(
            {"incident_id": incident.id, "at": at or self.at, "actor": None, "old": None, "new": None}
            | fields
        )

    def finish(self) -> None:
        """Write what the request's triage decided: links, review cases, timeline events, in bulk."""
        self.session.flush()
        for incident_id, signal_ids in self.links.items():
            for ids in chunks(signal_ids):
                self.session.execute(
                    update(SIGNALS).where(SIGNALS.c.id.in_(ids)).values(incident_id=incident_id)
                )
        cases = open_review_cases(self.session, reviews=self.reviews, at=self.at)
        events = []
        for event in self.events:
            if isinstance(event, int):
                announcement = cases[event].announcement
                if announcement is None:  # the review's case was open already
                    continue
                incident_id = self.reviews[event][1]
                event = {"incident_id": incident_id, "at": self.at, "old": None} | announcement
            events.append(event)
        if events:
            self.session.execute(insert(TimelineEvent.__table__), events)


def stored_windows(
    session: Session, *, incident_id: int, around: datetime, width: timedelta, rated: bool
) -> tuple[int, int]:
    """Stored signals of the incident in the window of `width` ending at `around`, and in the one starting
    there (bounds included), counted in one indexed query."""
    scope = [Signal.incident_id == incident_id]
    if rated:
        scope.append(Signal.rating.is_not(None))
    count = func.count(Signal.id)
    before, after = session.execute(
        select(
            count.filter(Signal.observed_at.between(around - width, around)),
            count.filter(Signal.observed_at.between(around, around + width)),
        ).where(*scope, Signal.observed_at.between(around - width, around + width))
    ).one()
    return before or 0, after or 0


def triage_arrivals(
    session: Session,
    *,
    arrivals: Sequence[Arrival],
    kit: Kit,
    at: datetime,
    locked: Collection[int] = (),
) -> dict[int, Triage]:
    """Signal id → `Triage` for every arrival not triaged yet, in the order given. The caller's transaction
    holds the store and the triage: a signal is never stored without its incident. `locked`: targets
    this transaction has locked already."""
    pending = list({a.id: a for a in arrivals if a.incident_id is None}.values())
    if not pending:
        return {}
    target_ids = {a.target_id for a in pending}
    lock_targets(session, target_ids - set(locked))  # signals about one place must make one incident
    request = _Request(session, kit=kit, at=at, target_ids=target_ids)
    triaged = {signal.id: request.triage(signal) for signal in pending}
    request.finish()
    return triaged
