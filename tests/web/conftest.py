"""The HTTP app on a real store (SQLite, then PostgreSQL), with the hotel's kit and a recorded trigger."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.web.scenario import Trigger, build_client


@pytest.fixture
def trigger() -> Trigger:
    return Trigger()


@pytest.fixture
def client(hotel: sessionmaker[Session], trigger: Trigger) -> TestClient:
    return build_client(hotel, trigger)
