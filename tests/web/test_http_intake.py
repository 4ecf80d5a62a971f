"""Attacks reported over HTTP and from Slack run the real crisis protocol, once per new signal.

The app's `on_reported` here runs `crisis_response` in-process (as `cellule report` does), so what these
tests see is what the cell receives: console alerts, or Slack messages on the fake Slack Web API.
"""

from __future__ import annotations

import io
import time
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from cellule.engine import run_protocol
from cellule.reporting import Reported
from cellule.web import ApiCredentials, create_app
from flows.runtime import Runtime
from models import Notification, NotificationStatus, Participant, transaction
from notifications import ConsoleChannel
from tests.web.scenario import BEARER, REVIEW, SIGNING_SECRET, SLACK_SECRET, TOKEN, as_json, signed

pytestmark = pytest.mark.usefixtures("prefect_server")  # every test here runs Prefect flows

CLAIRE = "U04LILAS0CM"


def app_running_the_protocol(runtime: Runtime) -> TestClient:
    def respond(outcomes: list[Reported]) -> None:
        for incident_id in sorted({o.incident_id for o in outcomes}):
            run_protocol(runtime, incident_id)

    app = create_app(
        runtime=runtime,
        slack_signing_secret=SLACK_SECRET,
        after_answer=lambda incident_id: run_protocol(runtime, incident_id),
        on_reported=respond,
        api_credentials=ApiCredentials(tokens=(TOKEN,), signing_secret=SIGNING_SECRET),
    )
    return TestClient(app)


def notifications(runtime: Runtime) -> list[Notification]:
    with transaction(runtime.sessions) as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_a_signal_posted_over_http_alerts_the_cell_once(runtime, console):
    client = app_running_the_protocol(runtime)

    response = client.post(
        "/api/v1/signals", content=as_json(REVIEW), headers={**BEARER, "Content-Type": "application/json"}
    )

    assert response.status_code == 201
    ref = response.json()["incident_ref"]
    sent = notifications(runtime)
    assert sent and all(n.status == NotificationStatus.SENT for n in sent)
    assert console.getvalue().count(ref) >= len(sent)

    body = as_json(REVIEW)
    again = client.post("/api/v1/signals", content=body, headers=signed(body))  # the same review, signed
    assert again.status_code == 200 and again.json()["incident_ref"] == ref
    assert len(notifications(runtime)) == len(sent)


def test_a_batch_of_reviews_alerts_the_cell_of_one_incident(runtime):
    client = app_running_the_protocol(runtime)
    reviews = [REVIEW | {"external_id": f"g-{n}", "text": f"Avis {n}"} for n in range(3)]

    response = client.post(
        "/api/v1/signals/batch",
        content=as_json({"signals": reviews}),
        headers={**BEARER, "Content-Type": "application/json"},
    )

    assert response.status_code == 201
    assert len({o["incident_ref"] for o in response.json()["signals"]}) == 1
    with transaction(runtime.sessions) as session:
        incident_ids = set(session.scalars(select(Participant.incident_id)))
    assert len(incident_ids) == 1


@pytest.fixture
def on_slack(hotel, slack) -> Runtime:
    return Runtime(sessions=hotel, channels={"slack": slack, "console": ConsoleChannel(io.StringIO())})


def test_crise_from_slack_alerts_the_cell_on_slack(on_slack, fake_slack):
    client = app_running_the_protocol(on_slack)
    body = urlencode(
        {"command": "/crise", "text": "Hôtel des Lilas | Avis 1 étoile mensonger", "user_id": CLAIRE}
    )
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SLACK_SECRET).generate_signature(timestamp=ts, body=body),
    }

    response = client.post("/slack/commands", content=body, headers=headers)

    answer = response.json()
    assert response.status_code == 200 and answer["response_type"] == "ephemeral"
    ref = answer["text"].split("*")[1]
    posted = fake_slack.calls_to("chat.postMessage")
    assert posted and any(ref in str(call) for call in posted)
    assert all(n.channel == "slack" for n in notifications(on_slack) if n.status == NotificationStatus.SENT)
