"""Drill tests: scenarios played through the real flows on the simulated clock, and live drills."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cellule.scratch import scratch_stores


@pytest.fixture(scope="session")
def fresh() -> Iterator[Callable[[], AbstractContextManager[sessionmaker[Session]]]]:
    """Empty migrated stores, one per simulated run, as `cellule drill run` makes them."""
    with scratch_stores() as make:
        yield make
