"""Fixtures for review cases: the hotel's fake review on SQLite and PostgreSQL, and the platforms' fakes."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session, sessionmaker

from flows.reviews.connectors import GoogleBusinessProfileConnector, TrustpilotConnector
from tests.reviews import fakes
from tests.reviews.scenario import Hotel, hotel_with_fake_review


@pytest.fixture
def hotel(sessions: sessionmaker[Session]) -> Hotel:
    """Here the hotel (tests/scenarios/hotel.py) is at the start of its review case: CRI-2026-0001, Marc
    Fontaine's one-star Google review reported by Claire, case R1, the cell joined."""
    return hotel_with_fake_review(sessions)


@pytest.fixture
def fake_google(httpserver: HTTPServer) -> fakes.FakePlatform:
    return fakes.google(httpserver)


@pytest.fixture
def fake_trustpilot(httpserver: HTTPServer) -> fakes.FakePlatform:
    return fakes.trustpilot(httpserver)


@pytest.fixture
def google_connector(fake_google: fakes.FakePlatform) -> GoogleBusinessProfileConnector:
    return GoogleBusinessProfileConnector(
        access_token=fakes.GOOGLE_TOKEN,
        account_id=fakes.GOOGLE_ACCOUNT,
        location_id=fakes.GOOGLE_LOCATION,
        base_url=fake_google.base_url,
        timeout=5,
    )


@pytest.fixture
def trustpilot_connector(fake_trustpilot: fakes.FakePlatform) -> TrustpilotConnector:
    return TrustpilotConnector(
        access_token=fakes.TRUSTPILOT_TOKEN,
        business_user_id=fakes.TRUSTPILOT_BUSINESS_USER,
        base_url=fake_trustpilot.base_url,
        timeout=5,
    )
