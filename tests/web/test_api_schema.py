"""Property-based: requests generated from the OpenAPI schema — valid and invalid — never get a 5xx.

Schemathesis reads `/api/v1/openapi.json` from the app in-process (ASGI) and generates bodies, headers and
content types, positive and negative, for every operation; the store is a real SQLite file with the
hotel's kit, so accepted signals are really stored and triaged.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy.orm import Session, sessionmaker

from models import make_engine, make_sessionmaker
from tests.scenarios.hotel import load_hotel_kit
from tests.web.scenario import BEARER, Trigger, build_client

# Generated cases per operation, on top of schemathesis's explicit and coverage cases: ~800 requests in all,
# about half a minute on two cores. Refusing without credentials needs fewer to show it holds.
WITH_TOKEN, WITHOUT_CREDENTIALS = 50, 25


@pytest.fixture
def hotel_on_sqlite(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(sqlite_url)
    sessions = make_sessionmaker(engine)
    load_hotel_kit(sessions)
    yield sessions
    engine.dispose()


@pytest.fixture
def api_schema(hotel_on_sqlite: sessionmaker[Session]) -> schemathesis.BaseSchema:
    app = build_client(hotel_on_sqlite, Trigger()).app
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def bounded(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))


@schema.parametrize()
@bounded(WITH_TOKEN)
def test_no_request_with_a_valid_token_gets_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=BEARER, checks=[not_a_server_error])


@schema.parametrize()
@bounded(WITHOUT_CREDENTIALS)
def test_without_credentials_every_report_is_refused_and_none_fails(case: schemathesis.Case) -> None:
    response = case.call_and_validate(checks=[not_a_server_error])
    if case.operation.path.startswith("/api/v1/"):
        # the coverage phase also tries methods the path does not declare
        expected = 401 if case.method.upper() == case.operation.method.upper() else 405
        assert response.status_code == expected, response.text
