"""Kit fixtures: a small kit file whose lines tests point at, the user's "load this file" action, the rows."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.kit.loading import load_kit, read_kit
from models import KitVersion, Person, RosterEntry, transaction

# Line numbers matter: the error tests expect problems on these lines.
SMALL_KIT = """\
kit:
  name: Hôtel des Lilas
  owner: claire
people:
  - key: claire
    name: Claire Morel
    email: claire@lilas.example
  - key: lucas
    name: Lucas Perrin
    locale: en
roster:
  community_manager: [claire, lucas]
playbooks:
  default:
    cell:
      - role: community_manager
    correlation_window: 48h
"""


@pytest.fixture
def small_kit() -> str:
    """A valid two-person kit (see SMALL_KIT for its line numbers)."""
    return SMALL_KIT


@pytest.fixture
def small_kit_without_lucas() -> str:
    """The small kit after Lucas left: out of the people and the roster."""
    return SMALL_KIT.replace("[claire, lucas]", "[claire]").replace(
        "  - key: lucas\n    name: Lucas Perrin\n    locale: en\n", ""
    )


@pytest.fixture
def write_kit(tmp_path: Path) -> Callable[..., Path]:
    """Write kit text (or raw bytes) to a file in the test's folder and return its path."""

    def write(content: str | bytes, name: str = "lilas.yaml") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def _load_file(sessions: sessionmaker[Session], path: Path) -> int:
    kit = read_kit(path)
    with transaction(sessions) as session:
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        return load_kit(session, kit=kit, source=str(path), sha256=sha256).id


@pytest.fixture
def load_file() -> Callable[[sessionmaker[Session], Path], int]:
    """What `cellule kit load FILE` does: read and check, then load in one transaction; the version id."""
    return _load_file


def _kit_rows(sessions: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    with sessions() as session:
        versions = session.execute(select(KitVersion.id, KitVersion.name).order_by(KitVersion.id))
        people = session.execute(
            select(Person.id, Person.key, Person.name, Person.email, Person.active).order_by(Person.key)
        )
        roster = session.execute(
            select(RosterEntry.role, RosterEntry.rank, Person.key)
            .join(Person)
            .order_by(RosterEntry.role, RosterEntry.rank)
        )
        return {
            "versions": [tuple(r) for r in versions],
            "people": [tuple(r) for r in people],
            "roster": [tuple(r) for r in roster],
        }


@pytest.fixture
def kit_rows() -> Callable[[sessionmaker[Session]], dict[str, list[tuple[Any, ...]]]]:
    """Everything a kit load writes (versions, people, roster), to compare before and after."""
    return _kit_rows
