"""Drill tests: scenarios played through the real flows on the simulated clock, and live drills."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cellule.scratch import scratch_stores
from flows.kit.loading import example_kit_path, read_kit
from flows.kit.schema import Kit


@pytest.fixture(autouse=True)
def _on_the_prefect_test_server(prefect_server: None) -> None:
    """Every drill test runs on the session's Prefect test server."""


@pytest.fixture(scope="session")
def fresh() -> Iterator[Callable[[], AbstractContextManager[sessionmaker[Session]]]]:
    """Empty migrated stores, one per simulated run, as `cellule drill run` makes them."""
    with scratch_stores() as make:
        yield make


@pytest.fixture(scope="session")
def hotel_kit() -> Kit:
    return read_kit(example_kit_path("hotel"))
