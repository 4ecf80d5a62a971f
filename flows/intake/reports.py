"""Intake: a reported attack becomes a stored signal, then joins or opens an incident.

Two steps, two transactions, in this order: the signal is stored first (nothing a person reported is ever
lost), then it is triaged — correlated with an open incident about the same target or opening a new one,
classified and rated by the kit's declared rules.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flows.intake.rules import SignalFacts, classify, dedup_key, rate_severity, target_key
from flows.kit.loading import require_kit_version
from flows.kit.schema import Kit
from flows.refusals import Refusal
from flows.reviews import open_review_case
from models import (
    AttackType,
    Incident,
    IncidentStatus,
    Signal,
    Target,
    find_open_incident,
    next_ref,
    record_event,
)

MAX_TEXT_CHARS = 20_000  # a long article fits; a pasted megabyte does not
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class IntakeError(Refusal, ValueError):
    """A report that cannot be accepted, with every reason in words a person can act on."""


def _clean_text(value: object) -> object:
    """Refuse undecodable text; drop control characters (terminal escapes, NUL) that no reader needs."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("is not valid UTF-8 text") from exc
    return _CONTROL.sub("", value).strip()


def _non_empty(value: str) -> str:
    if not value:
        raise ValueError("is empty")
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(f"is too long ({len(value):,} characters; at most {MAX_TEXT_CHARS:,})")
    return value


def _at_most(limit: int):  # type: ignore[no-untyped-def]
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"is too long ({len(value):,} characters; at most {limit:,})")
        return value

    return AfterValidator(check)


CleanText = Annotated[str, BeforeValidator(_clean_text)]
MAX_REACH = 2_147_483_647  # the store keeps reach as a 32-bit integer
# Dates outside this span are typing mistakes, and would overflow date arithmetic in triage.
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


class SignalReport(BaseModel):
    """What a person, a feed or an HTTP client reports about one attack."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    target: Annotated[CleanText, Field(min_length=1), _at_most(200)]
    text: Annotated[CleanText, AfterValidator(_non_empty)]
    platform: Annotated[str, Field(pattern=r"^[a-z0-9_.-]{1,32}$")] = "other"
    attack_type: AttackType | None = None
    external_id: Annotated[CleanText, _at_most(200)] | None = None
    url: Annotated[str, Field(max_length=2000, pattern=r"^https?://\S+$")] | None = None
    author: Annotated[CleanText, _at_most(200)] | None = None
    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    reach: Annotated[int, Field(ge=0, le=MAX_REACH)] | None = None
    observed_at: Annotated[AwareDatetime, Field(ge=EARLIEST, lt=LATEST)] | None = None
    reported_by: Annotated[CleanText, _at_most(200)] | None = None
    is_drill: bool = False


def parse_report(data: dict[str, object]) -> SignalReport:
    """Validate a report, turning pydantic's errors into one readable `IntakeError`."""
    try:
        return SignalReport.model_validate(data)
    except ValidationError as exc:
        raise IntakeError(describe_errors(exc)) from None


def describe_errors(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "report"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{field}: {message}")
    return "\n".join(lines)


def _get_or_create_target(session: Session, name: str) -> Target:
    key = target_key(name) or name.casefold()
    if len(key) > 200:  # folding can lengthen a name (ligatures): keep it unique within the column
        key = key[:135] + "#" + hashlib.sha256(key.encode()).hexdigest()
    target = session.scalar(select(Target).where(Target.key == key))
    if target is not None:
        return target
    try:
        with session.begin_nested():
            target = Target(key=key, name=name)
            session.add(target)
    except IntegrityError:  # another worker created it meanwhile
        target = session.scalars(select(Target).where(Target.key == key)).one()
    return target


def record_signal(
    session: Session, *, report: SignalReport, source: str, at: datetime
) -> tuple[Signal, bool]:
    """Store the signal; the same review or post reported again returns the stored one and `False`."""
    key = dedup_key(
        platform=report.platform,
        external_id=report.external_id,
        url=report.url,
        author=report.author,
        text=report.text,
    )
    existing = session.scalar(select(Signal).where(Signal.dedup_key == key))
    if existing is not None:
        return existing, False
    target = _get_or_create_target(session, report.target)
    signal = Signal(
        dedup_key=key,
        target_id=target.id,
        claimed_attack_type=report.attack_type.value if report.attack_type else None,
        source=source,
        platform=report.platform,
        external_id=report.external_id,
        url=report.url,
        author=report.author,
        rating=report.rating,
        text=report.text,
        reach=report.reach,
        reported_by=report.reported_by,
        observed_at=report.observed_at or at,
        received_at=at,
        is_drill=report.is_drill,
    )
    try:
        with session.begin_nested():
            session.add(signal)
    except IntegrityError:  # the same report raced in through another door
        return session.scalars(select(Signal).where(Signal.dedup_key == key)).one(), False
    return signal, True


@dataclass(frozen=True)
class Triage:
    incident_id: int
    ref: str
    opened: bool  # False: the signal joined an incident already open
    regraded: bool = False  # the incident's severity rose or its attack type changed


def _facts(signal: Signal) -> SignalFacts:
    return SignalFacts(
        platform=signal.platform,
        text=signal.text,
        rating=signal.rating,
        reach=signal.reach,
        observed_at=signal.observed_at,
    )


def triage_with_kit_in_force(session: Session, *, signal_id: int, at: datetime) -> Triage:
    """`triage_signal` under the kit in force (what every door does with a stored signal)."""
    version, kit = require_kit_version(session)
    return triage_signal(session, signal_id=signal_id, kit=kit, kit_version_id=version.id, at=at)


def triage_signal(
    session: Session, *, signal_id: int, kit: Kit, kit_version_id: int | None, at: datetime
) -> Triage:
    """Correlate a stored signal with an open incident about its target, or open one. Idempotent."""
    signal = session.scalars(select(Signal).where(Signal.id == signal_id).with_for_update()).one()
    if signal.incident_id is not None:
        incident = session.get_one(Incident, signal.incident_id)
        return Triage(incident.id, incident.ref, opened=False)
    # Lock the target: concurrent signals about one place must make one incident, not two.
    target = session.scalars(select(Target).where(Target.id == signal.target_id).with_for_update()).one()
    facts = _facts(signal)
    attack_type = (
        AttackType(signal.claimed_attack_type)
        if signal.claimed_attack_type
        else classify(facts, kit.classification)
    )
    window = kit.playbook_for(attack_type).correlation_window
    incident = find_open_incident(
        session, target_id=target.id, is_drill=signal.is_drill, since=facts.observed_at - window
    )
    opened = incident is None
    if incident is None:
        incident = _open_incident(
            session, signal=signal, target=target, attack_type=attack_type, kit=kit, at=at
        )
    else:
        _join_incident(session, incident=incident, signal=signal, at=at)
    # A rated review gets its own case, evidence frozen now (one per review; a repeat report finds it).
    open_review_case(session, signal=signal, incident=incident, at=at)
    regraded = _regrade(session, incident=incident, signal=signal, kit=kit, at=at)
    return Triage(incident.id, incident.ref, opened=opened, regraded=regraded and not opened)


def _open_incident(
    session: Session, *, signal: Signal, target: Target, attack_type: AttackType, kit: Kit, at: datetime
) -> Incident:
    rating = rate_severity([_facts(signal)], kit.severity_rules, signals_per_hour=1)
    incident = Incident(
        ref=next_ref(session, prefix="EXE" if signal.is_drill else "CRI", year=at.year),
        title=f"{target.name} ({signal.platform})",
        attack_type=attack_type,
        severity=rating.severity,
        status=IncidentStatus.DETECTED,
        target_id=target.id,
        is_drill=signal.is_drill,
        last_signal_at=signal.observed_at,
        first_signal_at=signal.observed_at,
        detected_at=at,
    )
    session.add(incident)
    session.flush()
    signal.incident_id = incident.id
    record_event(
        session,
        incident=incident,
        at=at,
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
        record_event(
            session,
            incident=incident,
            at=value,
            kind="milestone",
            summary=milestone,
            new={milestone: value.isoformat()},
        )
    return incident


def _join_incident(session: Session, *, incident: Incident, signal: Signal, at: datetime) -> None:
    signal.incident_id = incident.id
    incident.last_signal_at = max(incident.last_signal_at, signal.observed_at)
    record_event(
        session,
        incident=incident,
        at=at,
        kind="signal",
        summary=f"new signal on {signal.platform}" + (f" ({signal.rating}★)" if signal.rating else ""),
        actor=signal.reported_by,
        new={"signal_id": signal.id},
    )


def busiest_window(
    session: Session, *, incident_id: int, around: datetime, width: timedelta, rated: bool
) -> int:
    """Signals of the incident in the busier of the two windows of `width` that end or start at `around`.

    A storm of signals is triaged one at a time, so checking the windows touching each new signal finds
    the busiest stretch as it forms, in two indexed counts — never re-reading thousands of signals.
    """
    scope = [Signal.incident_id == incident_id]
    if rated:
        scope.append(Signal.rating.is_not(None))
    count = func.count(Signal.id)
    before = session.scalar(select(count).where(*scope, Signal.observed_at.between(around - width, around)))
    after = session.scalar(select(count).where(*scope, Signal.observed_at.between(around, around + width)))
    return max(before or 0, after or 0)


def _regrade(session: Session, *, incident: Incident, signal: Signal, kit: Kit, at: datetime) -> bool:
    """Re-rate severity (it only ever rises) and turn a burst of reviews into its declared attack type.

    Only the new signal and the counts around it are looked at: the rules only ever raise the grade, so
    what earlier signals earned is already in it. Returns whether anything changed: the cell the playbook
    needs may have grown.
    """
    session.flush()
    changed = False
    burst = kit.playbook_for(incident.attack_type).burst
    around = signal.observed_at
    if burst is not None and signal.rating is not None:
        reviews = busiest_window(
            session, incident_id=incident.id, around=around, width=burst.within, rated=True
        )
        if reviews >= burst.reviews:
            old = incident.attack_type
            incident.attack_type = burst.becomes
            changed = True
            record_event(
                session,
                incident=incident,
                at=at,
                kind="reclassified",
                summary=f"{old} → {burst.becomes}: {burst.reviews}+ reviews within {burst.within}",
                old={"attack_type": old.value},
                new={"attack_type": burst.becomes.value},
            )
    per_hour = busiest_window(
        session, incident_id=incident.id, around=around, width=timedelta(hours=1), rated=False
    )
    rating = rate_severity([_facts(signal)], kit.severity_rules, signals_per_hour=per_hour)
    if rating.severity.rank > incident.severity.rank:
        old_severity = incident.severity
        incident.severity = rating.severity
        changed = True
        record_event(
            session,
            incident=incident,
            at=at,
            kind="severity",
            summary=f"{old_severity} → {rating.severity} ({', '.join(rating.because)})",
            old={"severity": old_severity.value},
            new={"severity": rating.severity.value},
        )
    return changed
