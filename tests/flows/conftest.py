"""Flow-level tests: the real Prefect flows on one session-scoped Prefect test server, with the hotel kit."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy.orm import Session, sessionmaker

from flows.kit.loading import example_kit_path, load_kit, read_kit
from flows.runtime import Runtime
from models import transaction
from notifications import ConsoleChannel


@pytest.fixture(autouse=True)
def _on_the_prefect_test_server(prefect_server: None) -> None:
    """Every flow test runs on the session's Prefect test server."""


@pytest.fixture
def hotel(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A store with the example kit of the Hôtel des Lilas loaded."""
    path = example_kit_path("hotel")
    with transaction(sessions) as session:
        load_kit(
            session,
            kit=read_kit(path),
            source=str(path),
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        )
    return sessions


@pytest.fixture
def console() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def runtime(hotel: sessionmaker[Session], console: io.StringIO) -> Runtime:
    """The live runtime on the test store, alerting through the console channel only."""
    return Runtime(sessions=hotel, channels={"console": ConsoleChannel(console)})
