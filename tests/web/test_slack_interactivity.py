"""Slack buttons through the HTTP endpoint: real signed form payloads, real protocol follow-ups.

The cell is alerted through slack_sdk's WebClient talking to the fake Slack Web API on loopback; the
buttons' values in the DMs it received are what the requests below click.
"""

from __future__ import annotations

import io
import json
import time
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from cellule.engine import run_protocol
from cellule.reporting import report_attacks
from cellule.web import ApiCredentials, create_app
from flows.intake.reports import parse_report
from flows.runtime import Runtime
from models import InboundAction, Participant, ParticipantStatus, Person, TimelineEvent, transaction
from notifications import ConsoleChannel

pytestmark = pytest.mark.usefixtures("prefect_server")  # every test here runs Prefect flows

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CLAIRE, LUCAS, OUTSIDER = "U04LILAS0CM", "U04LILAS0FD", "U0NOTINKIT"


@pytest.fixture
def alerted(hotel, slack):
    """The hotel's cell alerted on Slack about a 1-star review; the app that receives its buttons."""
    runtime = Runtime(sessions=hotel, channels={"slack": slack, "console": ConsoleChannel(io.StringIO())})
    review = {
        "target": "Hôtel des Lilas",
        "platform": "google",
        "external_id": "g-9",
        "rating": 1,
        "text": "Chambre sale.",
    }
    [outcome] = report_attacks(runtime, [parse_report(review)], source="cli")
    run_protocol(runtime, outcome.incident_id)
    app = create_app(
        runtime=runtime,
        slack_signing_secret=SECRET,
        after_answer=lambda incident_id: run_protocol(runtime, incident_id),
        on_reported=lambda outcomes: None,  # these tests report through `report_attacks` directly
        api_credentials=ApiCredentials(),
    )
    return runtime, TestClient(app)


def button_value(fake_slack, user: str, action_id: str) -> str:
    """The value of a button in the last DM this user received."""
    channel = f"D{user[1:]}"  # the fake opens DM channels named after the user
    for payload in reversed(fake_slack.calls_to("chat.postMessage")):
        if payload["channel"] in (channel, user):
            blocks = (
                payload["blocks"] if isinstance(payload["blocks"], list) else json.loads(payload["blocks"])
            )
            for block in blocks:
                for element in block.get("elements", []):
                    if element.get("action_id") == action_id:
                        return element["value"]
    raise AssertionError(f"no {action_id} button in {user}'s DMs")


def click(
    client, *, user: str, action_id: str, value: str, timestamp: int | None = None, secret: str = SECRET
):
    payload = {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action_id, "value": value}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return client.post("/slack/interactivity", content=body, headers=headers), body, headers


def status_of(runtime, slack_user: str) -> list[ParticipantStatus]:
    with transaction(runtime.sessions) as session:
        return list(
            session.scalars(
                select(Participant.status)
                .join(Person, Participant.person_id == Person.id)
                .where(Person.slack_user_id == slack_user)
            )
        )


def timeline_size(runtime) -> int:
    with transaction(runtime.sessions) as session:
        return session.scalar(select(func.count()).select_from(TimelineEvent))


def test_the_acknowledge_button_takes_the_role_once_even_if_replayed(alerted, fake_slack):
    runtime, client = alerted
    response, body, headers = click(
        client, user=CLAIRE, action_id="ack", value=button_value(fake_slack, CLAIRE, "ack")
    )
    assert response.status_code == 200 and response.json()["applied"] is True
    assert status_of(runtime, CLAIRE) == [ParticipantStatus.ACKNOWLEDGED]

    before = timeline_size(runtime)
    replay = client.post("/slack/interactivity", content=body, headers=headers)
    assert replay.status_code == 200 and replay.json()["applied"] is False
    assert timeline_size(runtime) == before
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(InboundAction)) == 1


def test_declining_from_slack_calls_the_backup_on_slack(alerted, fake_slack):
    runtime, client = alerted
    response, _, _ = click(
        client, user=CLAIRE, action_id="decline", value=button_value(fake_slack, CLAIRE, "decline")
    )
    assert response.status_code == 200
    assert status_of(runtime, CLAIRE) == [ParticipantStatus.DECLINED]
    assert status_of(runtime, LUCAS) == [ParticipantStatus.CALLED]
    assert button_value(fake_slack, LUCAS, "ack")  # the backup got their own alert with buttons


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"secret": "not-the-signing-secret"}, id="forged"),
        pytest.param({"timestamp": int(time.time()) - 600}, id="stale"),
    ],
)
def test_forged_or_stale_requests_are_refused_and_change_nothing(alerted, fake_slack, tamper):
    runtime, client = alerted
    before = timeline_size(runtime)
    response, _, _ = click(
        client, user=CLAIRE, action_id="ack", value=button_value(fake_slack, CLAIRE, "ack"), **tamper
    )
    assert response.status_code == 401
    assert status_of(runtime, CLAIRE) == [ParticipantStatus.CALLED]
    assert timeline_size(runtime) == before


def test_unsigned_or_garbled_requests_are_refused(alerted):
    _, client = alerted
    assert client.post("/slack/interactivity", content=b"payload=%7B%7D").status_code == 401
    headers = {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=00"}
    assert client.post("/slack/interactivity", content=b"x", headers=headers).status_code == 401


def test_only_a_person_of_the_cell_can_answer(alerted, fake_slack):
    runtime, client = alerted
    before = timeline_size(runtime)
    value = button_value(fake_slack, CLAIRE, "ack")
    outsider, _, _ = click(client, user=OUTSIDER, action_id="ack", value=value)
    assert outsider.status_code == 403
    not_called, _, _ = click(
        client, user="U04LILAS0SM", action_id="ack", value=value
    )  # Emma: in the kit, not called
    assert not_called.status_code == 403 and "not in the crisis cell" in not_called.json()["detail"]
    assert timeline_size(runtime) == before


# ── The quorum from Slack ────────────────────────────────────────────────────────────────────────────────


def slack_id(runtime, key: str) -> str:
    with transaction(runtime.sessions) as session:
        return session.scalars(select(Person.slack_user_id).where(Person.key == key)).one()


@pytest.fixture
def draft_awaiting(alerted, fake_slack):
    """The cell has acknowledged; Claire (community manager) puts up a holding statement for approval."""
    from flows.quorum import propose_draft
    from models import DraftKind, Incident

    runtime, client = alerted
    for key in ("claire.morel", "sophie.marchand", "anne.roux"):
        user = slack_id(runtime, key)
        click(client, user=user, action_id="ack", value=button_value(fake_slack, user, "ack"))
    with transaction(runtime.sessions) as session:
        incident = session.scalars(select(Incident)).one()
        claire = session.scalars(select(Person).where(Person.key == "claire.morel")).one()
        propose_draft(
            session,
            incident=incident,
            author=claire,
            kind=DraftKind.HOLDING_STATEMENT,
            text="Nous prenons cet avis très au sérieux et vérifions les faits.",
            locale="fr",
            at=runtime.now(),
            available=runtime.available_channels,
        )
        incident_id = incident.id
    run_protocol(runtime, incident_id)  # sends the approval requests
    return runtime, client


def draft_row(runtime):
    """Claire's draft and the decisions on it (D1 is the holding statement the exit phase put up for the
    lead once the cell was assembled; Claire's is the last one)."""
    from models import Approval, Draft

    with transaction(runtime.sessions) as session:
        draft = session.scalars(select(Draft).order_by(Draft.id.desc()).limit(1)).one()
        approvals = session.scalars(
            select(Approval).where(Approval.draft_id == draft.id).order_by(Approval.id)
        ).all()
        return draft, approvals


def test_two_approvals_from_distinct_roles_on_slack_approve_the_draft(draft_awaiting, fake_slack):
    runtime, client = draft_awaiting
    for key in ("sophie.marchand", "anne.roux"):
        user = slack_id(runtime, key)
        response, _, _ = click(
            client, user=user, action_id="approve", value=button_value(fake_slack, user, "approve")
        )
        assert response.status_code == 200 and response.json()["applied"] is True
    draft, approvals = draft_row(runtime)
    assert draft.status == "approved"
    assert {a.role for a in approvals} == {"comms_lead", "legal"}
    assert all(a.text == draft.text and a.version == 1 for a in approvals)


def test_the_author_gets_no_approve_button_and_cannot_approve_with_another_s(draft_awaiting, fake_slack):
    runtime, client = draft_awaiting
    claire = slack_id(runtime, "claire.morel")
    with pytest.raises(AssertionError):
        button_value(fake_slack, claire, "approve")
    sophie_value = button_value(fake_slack, slack_id(runtime, "sophie.marchand"), "approve")
    response, _, _ = click(client, user=claire, action_id="approve", value=sophie_value)
    assert response.status_code == 409
    assert draft_row(runtime)[1] == []


def test_reject_opens_a_form_and_its_submission_sends_the_draft_back_with_the_comment(
    draft_awaiting, fake_slack
):
    runtime, client = draft_awaiting
    anne = slack_id(runtime, "anne.roux")
    value = button_value(fake_slack, anne, "reject")
    payload = {
        "type": "block_actions",
        "trigger_id": "T123.456",
        "user": {"id": anne},
        "actions": [{"action_id": "reject", "value": value}],
    }
    response = signed_post(client, payload)
    assert response.status_code == 200 and response.json()["reason"] == "form opened"
    [form] = fake_slack.calls_to("views.open")
    view = form["view"] if isinstance(form["view"], dict) else json.loads(form["view"])
    assert view["callback_id"] == "cellule_reject" and view["private_metadata"] == value
    assert draft_row(runtime)[0].status == "awaiting_approval"  # opening the form decides nothing

    submission = {
        "type": "view_submission",
        "user": {"id": anne},
        "view": {
            "callback_id": "cellule_reject",
            "private_metadata": value,
            "state": {"values": {"comment": {"comment": {"value": "Ne pas parler de « vérifier »."}}}},
        },
    }
    assert signed_post(client, submission).json() == {}
    draft, [rejection] = draft_row(runtime)
    assert draft.status == "rejected"
    assert rejection.decision == "reject" and rejection.comment == "Ne pas parler de « vérifier »."


def test_a_rejection_without_a_comment_is_shown_as_an_error_in_the_form(draft_awaiting, fake_slack):
    runtime, client = draft_awaiting
    anne = slack_id(runtime, "anne.roux")
    submission = {
        "type": "view_submission",
        "user": {"id": anne},
        "view": {
            "callback_id": "cellule_reject",
            "private_metadata": button_value(fake_slack, anne, "reject"),
            "state": {"values": {"comment": {"comment": {"value": "  "}}}},
        },
    }
    answer = signed_post(client, submission).json()
    assert answer["response_action"] == "errors" and answer["errors"]["comment"]
    assert draft_row(runtime)[0].status == "awaiting_approval"


def signed_post(client, payload):
    body = urlencode({"payload": json.dumps(payload)})
    ts = str(int(time.time()))
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return client.post("/slack/interactivity", content=body, headers=headers)
