"""Prepare fixtures: a store with the ready kit, the user's "load this kit", and a runtime at a fixed time."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from flows.kit.loading import load_kit, read_kit
from flows.runtime import Runtime
from models import transaction
from notifications import ConsoleChannel
from tests.prepare.scenario import NOW, FixedClock, ready_kit, record_drill

Load = Callable[[sessionmaker[Session], dict[str, Any]], None]


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write a document (a dict) as YAML in the test's folder and return its path."""
    count = iter(range(1000))

    def write(document: dict[str, Any]) -> Path:
        path = tmp_path / f"kit-{next(count)}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_kit(tmp_path: Path) -> Callable[[str], Path]:
    """Write kit text to a file in the test's folder and return its path."""

    def write(text: str) -> Path:
        path = tmp_path / "lilas.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write_yaml: Callable[[dict[str, Any]], Path]) -> Load:
    """What `cellule kit load FILE` does with a kit: read and check it, then load it in one transaction."""

    def load_document(sessions: sessionmaker[Session], document: dict[str, Any]) -> None:
        path = write_yaml(document)
        kit = read_kit(path)
        with transaction(sessions) as session:
            load_kit(session, kit=kit, source=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest())

    return load_document


@pytest.fixture
def ready_store(sessions: sessionmaker[Session], load: Load) -> sessionmaker[Session]:
    """A store with the ready kit loaded and a drill held last month."""
    load(sessions, ready_kit())
    record_drill(sessions, attack_type="rumor", at=NOW - timedelta(days=30))
    return sessions


@pytest.fixture
def fixed_runtime(sessions: sessionmaker[Session]) -> Runtime:
    """The runtime on the test store, its clock stopped at NOW, alerting through the console only."""
    return Runtime(
        sessions=sessions, channels={"console": ConsoleChannel(io.StringIO())}, clock=FixedClock(NOW)
    )
