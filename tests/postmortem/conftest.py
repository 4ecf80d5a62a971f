"""Fixtures for post-mortems: the hotel's resolved crisis and its drill, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.postmortem.scenario import Built, build_drill, build_resolved


@pytest.fixture
def resolved(hotel: sessionmaker[Session]) -> Built:
    """CRI-2026-0001, resolved (see tests/postmortem/scenario.py)."""
    return build_resolved(hotel)


@pytest.fixture
def drill(hotel: sessionmaker[Session]) -> Built:
    """EXE-2026-0001, a finished drill."""
    return build_drill(hotel)
