"""Intake: reported attacks become stored signals, each joining or opening an incident.

A request (one report, a batch, a feed, a drill's signal) is one transaction: its signals are stored
(deduplicated, `storing.py`) and triaged (correlated with the open incident about the same target or
opening one, classified and rated by the kit's declared rules, `correlation.py`) together, so a signal is
never in the store without its incident, and a refused request stores nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.intake.correlation import Triage, triage_arrivals
from flows.intake.storing import store_signals, stored_arrival
from flows.kit.loading import require_kit_version
from flows.kit.schema import Kit
from flows.refusals import Refusal
from models import AttackType, Incident, Signal

__all__ = ["Triage"]  # where drills and doors have always found it

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


def _parseable_url(value: str) -> str:
    try:
        urlsplit(value)
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket: "http://["
        raise ValueError(f"is not a link that can be read ({exc})") from None
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
    url: (
        Annotated[str, Field(max_length=2000, pattern=r"^https?://\S+$"), AfterValidator(_parseable_url)]
        | None
    ) = None
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


@dataclass(frozen=True)
class Taken:
    """What became of one report: its stored signal (new, or the one stored before) and its incident."""

    signal_id: int
    new_signal: bool  # False: this review or post was already reported
    dedup_key: str
    received_at: datetime
    triage: Triage


def take_in(
    session: Session, *, reports: Sequence[SignalReport], source: str, kit: Kit, at: datetime
) -> list[Taken]:
    """Store the reports and triage them, in the caller's one transaction; one `Taken` per report, in order.

    Nothing is stored that is not triaged: a failure anywhere rolls the whole request back, so no signal
    is ever left without its incident. A report already stored answers with its signal and incident
    (triaged now if an older version of Cellule stored it without triage).
    """
    arrivals = store_signals(session, reports=reports, source=source, at=at)
    locked = {a.target_id for a in arrivals if a.new}  # `store_signals` locked the reports' targets
    triaged = triage_arrivals(session, arrivals=arrivals, kit=kit, at=at, locked=locked)
    earlier = {a.incident_id for a in arrivals if a.id not in triaged and a.incident_id is not None}
    refs: dict[int, str] = {}
    if earlier:
        query = select(Incident.id, Incident.ref).where(Incident.id.in_(earlier))
        refs = {incident_id: ref for incident_id, ref in session.execute(query)}
    taken, seen = [], set()
    for arrival in arrivals:
        triage = triaged.get(arrival.id)
        if triage is None:  # triaged when it was first reported
            assert arrival.incident_id is not None
            triage = Triage(arrival.incident_id, refs[arrival.incident_id], opened=False)
        elif arrival.id in seen:  # the same signal, earlier in this request, opened or grew the incident
            triage = Triage(triage.incident_id, triage.ref, opened=False)
        seen.add(arrival.id)
        taken.append(Taken(arrival.id, arrival.new, arrival.dedup_key, arrival.received_at, triage))
    return taken


def record_signal(
    session: Session, *, report: SignalReport, source: str, at: datetime
) -> tuple[Signal, bool]:
    """Store one signal, not triaged yet (`triage_with_kit_in_force` next, in the same transaction); the
    same review or post reported again returns the stored one and `False`."""
    [arrival] = store_signals(session, reports=[report], source=source, at=at)
    return session.get_one(Signal, arrival.id), arrival.new


def triage_with_kit_in_force(session: Session, *, signal_id: int, at: datetime) -> Triage:
    """Triage one stored signal under the kit in force; a signal triaged already answers its incident."""
    _, kit = require_kit_version(session)
    arrival = stored_arrival(session, signal_id=signal_id)
    triaged = triage_arrivals(session, arrivals=[arrival], kit=kit, at=at)
    if arrival.id in triaged:
        return triaged[arrival.id]
    incident = session.get_one(Incident, arrival.incident_id)
    return Triage(incident.id, incident.ref, opened=False)
