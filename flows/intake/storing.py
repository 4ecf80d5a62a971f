"""Storing a request's signals in bulk: targets found or created, repeats recognised, new rows inserted.

A request is any number of reports. Everything here is a few statements for the whole request, whatever
its size: one lookup of the targets and one insert of the missing ones, one lock of them, one lookup of the
dedup keys and one insert of the new signals. Races with another worker are settled by the unique
constraints (`ON CONFLICT DO NOTHING`, then a second lookup of what another worker stored meanwhile).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from flows.bulk import insert_ignoring_conflicts
from flows.intake.rules import SignalFacts, dedup_key, stored_target_key
from models import AttackType, Signal, Target


class SignalReport(Protocol):
    """What is stored of a validated report (`reports.SignalReport`, which calls this module)."""

    @property
    def target(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def attack_type(self) -> AttackType | None: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def rating(self) -> int | None: ...
    @property
    def reach(self) -> int | None: ...
    @property
    def observed_at(self) -> datetime | None: ...
    @property
    def reported_by(self) -> str | None: ...
    @property
    def is_drill(self) -> bool: ...


CHUNK = 1000  # bound parameters per statement, far below SQLite's and PostgreSQL's limits
Item = TypeVar("Item")


@dataclass(frozen=True)
class Arrival:
    """A reported signal as stored, with what triage and its review case need (no ORM row is loaded)."""

    id: int
    new: bool  # False: this review or post was already stored (before, or earlier in the same request)
    dedup_key: str
    target_id: int
    incident_id: int | None  # None: not triaged yet
    claimed_attack_type: str | None
    platform: str
    external_id: str | None
    url: str | None
    author: str | None
    rating: int | None
    text: str
    reach: int | None
    reported_by: str | None
    observed_at: datetime
    received_at: datetime
    is_drill: bool
    source: str

    @property
    def facts(self) -> SignalFacts:
        return SignalFacts(
            platform=self.platform,
            text=self.text,
            rating=self.rating,
            reach=self.reach,
            observed_at=self.observed_at,
        )


_STORED = [
    Signal.id,
    Signal.dedup_key,
    Signal.target_id,
    Signal.incident_id,
    Signal.claimed_attack_type,
    Signal.platform,
    Signal.external_id,
    Signal.url,
    Signal.author,
    Signal.rating,
    Signal.text,
    Signal.reach,
    Signal.reported_by,
    Signal.observed_at,
    Signal.received_at,
    Signal.is_drill,
    Signal.source,
]


def store_signals(
    session: Session, *, reports: Sequence[SignalReport], source: str, at: datetime
) -> list[Arrival]:
    """Store the reports not stored yet; one `Arrival` per report, in order (a repeat has `new=False`).

    The targets are locked (in id order, so two requests never wait on each other in a circle): requests
    about the same place are applied one after the other, as their triage requires.
    """
    target_ids = _targets(session, names=[r.target for r in reports])
    keys = [_key(report) for report in reports]
    found = _stored(session, keys)
    lock_targets(session, {a.target_id for a in found.values()} - set(target_ids.values()))
    rows: dict[str, dict[str, Any]] = {}
    for report, key in zip(reports, keys, strict=True):
        if key not in found and key not in rows:
            target_id = target_ids[stored_target_key(report.target)]
            rows[key] = _row(report, key=key, target_id=target_id, source=source, at=at)
    inserted = _insert_new(session, Signal.__table__, list(rows.values()), unique="dedup_key")
    found |= _stored(session, [k for k in rows if k not in inserted])  # raced in through another door
    arrivals, seen = [], set()
    for key in keys:
        if key in found:
            arrivals.append(found[key])
        else:
            arrivals.append(Arrival(id=inserted[key], new=key not in seen, incident_id=None, **rows[key]))
            seen.add(key)
    return arrivals


def stored_arrival(session: Session, *, signal_id: int) -> Arrival:
    """One stored signal as an `Arrival` (`new=False`)."""
    return _arrival(session.execute(select(*_STORED).where(Signal.id == signal_id)).one()._mapping)


def lock_targets(session: Session, target_ids: Iterable[int]) -> None:
    """Lock the target rows, in id order (on SQLite, BEGIN IMMEDIATE already holds the store's lock)."""
    if session.get_bind().dialect.name == "sqlite":
        return
    for ids in chunks(sorted(set(target_ids))):
        session.execute(select(Target.id).where(Target.id.in_(ids)).order_by(Target.id).with_for_update())


def chunks(items: Sequence[Item], size: int = CHUNK) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _key(report: SignalReport) -> str:
    return dedup_key(
        target=stored_target_key(report.target),
        platform=report.platform,
        external_id=report.external_id,
        url=report.url,
        author=report.author,
        text=report.text,
    )


def _row(report: SignalReport, *, key: str, target_id: int, source: str, at: datetime) -> dict[str, Any]:
    return {
        "dedup_key": key,
        "target_id": target_id,
        "source": source,
        "observed_at": report.observed_at or at,
        "received_at": at,
        "claimed_attack_type": report.attack_type.value if report.attack_type else None,
        "platform": report.platform,
        "external_id": report.external_id,
        "url": report.url,
        "author": report.author,
        "rating": report.rating,
        "text": report.text,
        "reach": report.reach,
        "reported_by": report.reported_by,
        "is_drill": report.is_drill,
    }


def _targets(session: Session, *, names: Sequence[str]) -> dict[str, int]:
    """Target key → id for every name, creating the missing targets (the first spelling names one).

    Every target comes back locked: those found are read `FOR UPDATE` (in id order), those created are
    this transaction's own until it commits."""
    spelling: dict[str, str] = {}
    for name in names:
        spelling.setdefault(stored_target_key(name), name)
    ids = _target_ids(session, list(spelling))
    missing = sorted(k for k in spelling if k not in ids)  # in key order: concurrent inserts never cross
    rows = [{"key": k, "name": spelling[k]} for k in missing]
    ids |= _insert_new(session, Target.__table__, rows, unique="key")
    return ids | _target_ids(session, [k for k in missing if k not in ids])  # created meanwhile


def _target_ids(session: Session, keys: Sequence[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for part in chunks(keys):
        query = select(Target.key, Target.id).where(Target.key.in_(part)).order_by(Target.id)
        ids.update((key, id_) for key, id_ in session.execute(query.with_for_update()))
    return ids


def _stored(session: Session, keys: Sequence[str]) -> dict[str, Arrival]:
    found: dict[str, Arrival] = {}
    for part in chunks(list(dict.fromkeys(keys))):
        for row in session.execute(select(*_STORED).where(Signal.dedup_key.in_(part))):
            found[row.dedup_key] = _arrival(row._mapping)
    return found


def _arrival(row: Any) -> Arrival:
    return Arrival(new=False, **dict(row))


def _insert_new(session: Session, table: Table, rows: list[dict[str, Any]], *, unique: str) -> dict[str, int]:
    """Insert the rows, skipping any whose `unique` value is taken; `unique` value → id of those inserted."""
    inserted = insert_ignoring_conflicts(
        session, table, rows, unique=[unique], returning=[table.c.id, table.c[unique]]
    )
    return {row[1]: row[0] for row in inserted}
