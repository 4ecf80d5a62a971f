"""Drill tests: scenarios played through the real flows on the simulated clock, and live drills."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from sqlalchemy.orm import Session, sessionmaker

from cellule.scratch import scratch_stores
from flows.kit import example_kit_path, read_kit
from flows.playbook import Kit


@pytest.fixture(scope="session", autouse=True)
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for the drill tests (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    from cellule.prefect_env import quiet_flow_runs

    with prefect_test_harness(server_startup_timeout=60), quiet_flow_runs():
        yield


@pytest.fixture(scope="session")
def fresh() -> Iterator[Callable[[], AbstractContextManager[sessionmaker[Session]]]]:
    """Empty migrated stores, one per simulated run, as `cellule drill run` makes them."""
    with scratch_stores() as make:
        yield make


@pytest.fixture(scope="session")
def hotel_kit() -> Kit:
    return read_kit(example_kit_path("hotel"))
