"""What the HTTP tests share: credentials, a recorded protocol trigger, signing, counting the store's rows.

The trigger is a test double for what starts the crisis protocol (in-process or a Prefect deployment run):
it records the outcomes it was given, so these tests need no Prefect. `tests/web/test_http_intake.py` runs
the real protocol behind the same app.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cellule.reporting import Reported
from cellule.web import ApiCredentials, create_app
from cellule.web.auth import sign
from flows.runtime import Runtime
from models import InboundAction, Incident, Signal, Target, TimelineEvent, transaction
from notifications import ConsoleChannel

TOKEN = "test-token-0123456789abcdef"
SIGNING_SECRET = "test-signing-secret-0123456789"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
REVIEW = {
    "target": "Hôtel des Lilas",
    "platform": "google",
    "external_id": "g-9",
    "rating": 1,
    "text": "Chambre sale, personnel odieux.",
}


@dataclass
class Trigger:
    """Records what the app asked to start the protocol for."""

    calls: list[list[Reported]] = field(default_factory=list)

    def __call__(self, outcomes: list[Reported]) -> None:
        self.calls.append(list(outcomes))

    @property
    def incident_ids(self) -> list[int]:
        return [o.incident_id for call in self.calls for o in call]


def build_client(
    sessions: sessionmaker[Session], trigger: Trigger, credentials: ApiCredentials | None = None
) -> TestClient:
    runtime = Runtime(sessions=sessions, channels={"console": ConsoleChannel(io.StringIO())})
    app = create_app(
        runtime=runtime,
        slack_signing_secret=SLACK_SECRET,
        after_answer=lambda incident_id: None,
        on_reported=trigger,
        api_credentials=credentials or ApiCredentials(tokens=(TOKEN,), signing_secret=SIGNING_SECRET),
    )
    return TestClient(app)


def signed(body: bytes, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Headers of a request signed the way the docs tell clients to."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        "X-Cellule-Timestamp": ts,
        "X-Cellule-Signature": sign(secret, ts, body),
    }


def as_json(data: Any) -> bytes:
    return json.dumps(data).encode()


def store_counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    """How many rows each table a report could touch holds: equal before and after means nothing stored."""
    with transaction(sessions) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Signal, Target, Incident, TimelineEvent, InboundAction)
        }
