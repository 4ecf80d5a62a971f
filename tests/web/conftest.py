"""The HTTP app on a real store (SQLite, then PostgreSQL), with the hotel's kit and a recorded trigger."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.web.scenario import Trigger, build_client, load_hotel_kit


@pytest.fixture
def hotel(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """A store with the Hôtel des Lilas kit loaded."""
    load_hotel_kit(sessions)
    return sessions


@pytest.fixture
def trigger() -> Trigger:
    return Trigger()


@pytest.fixture
def client(hotel: sessionmaker[Session], trigger: Trigger) -> TestClient:
    return build_client(hotel, trigger)
