"""Server mode's trigger: the idempotency key of a protocol run names the stored signal, not the store's ids.

Prefect hands back the existing flow run for a key it has seen, so a key built from row ids would repeat
when the store is reset or restored, or a second store shares the Prefect server — and a new incident
would get no protocol run. `deployment_run` is recorded here; no Prefect server is needed.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cellule import triggers
from cellule.reporting import Reported, report_attacks
from flows.intake.reports import parse_report
from flows.runtime import Runtime
from models import make_engine, make_sessionmaker
from notifications import ConsoleChannel
from tests.scenarios.hotel import load_hotel_kit
from tests.web.scenario import REVIEW

# Not UTC, and with microseconds: the key must read the same from memory and back from either database.
PARIS = timezone(timedelta(hours=1))
T0 = datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=PARIS)


@dataclass
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


def report(sessions: sessionmaker[Session], at: datetime) -> Reported:
    runtime = Runtime(
        sessions=sessions, channels={"console": ConsoleChannel(io.StringIO())}, clock=FixedClock(at)
    )
    [outcome] = report_attacks(runtime, [parse_report(REVIEW)], source="api")
    return outcome


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str | None]]:
    """The deployment runs `as_deployment_runs` asked Prefect for: (incident id, idempotency key)."""
    calls: list[tuple[int, str | None]] = []
    monkeypatch.setattr(
        triggers, "deployment_run", lambda incident_id, key=None: calls.append((incident_id, key))
    )
    return calls


@pytest.fixture
def other_store(tmp_path: Path, sqlite_template: str) -> Iterator[sessionmaker[Session]]:
    """A second, fresh store (its ids start over), with the same kit."""
    path = tmp_path / "other.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_sessionmaker(engine)
    load_hotel_kit(sessions)
    yield sessions
    engine.dispose()


def test_the_same_review_in_two_stores_starts_two_runs(
    hotel: sessionmaker[Session], other_store: sessionmaker[Session], started: list[tuple[int, str | None]]
) -> None:
    first = report(hotel, T0)
    second = report(other_store, T0 + timedelta(days=3))  # a reset store, or another one on the same server
    assert (first.incident_id, first.signal_id) == (second.incident_id, second.signal_id)  # ids repeat

    trigger = triggers.as_deployment_runs()
    trigger([first])
    trigger([second])

    [(_, key_a), (_, key_b)] = started
    assert key_a and key_b and key_a != key_b


def test_a_retry_about_the_same_stored_signal_gives_the_same_key(hotel: sessionmaker[Session]) -> None:
    first = report(hotel, T0)
    again = report(hotel, T0 + timedelta(minutes=5))  # read back from the store, not from memory
    assert first.new_signal and not again.new_signal
    assert triggers.run_key(again) == triggers.run_key(first)
    assert triggers.incidents_to_run([first]) == {first.incident_id: triggers.run_key(first)}
    assert triggers.run_key(first) == f"signal:{first.dedup_key}/received:2026-11-26T09:00:00.123456Z"
