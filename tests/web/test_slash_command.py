"""`/crise` and `/crisis` from Slack: signed form posts, ephemeral answers, the reporter is the Slack user."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from models import Signal, transaction
from tests.web.scenario import SLACK_SECRET, Trigger, build_client, store_counts

CLAIRE, OUTSIDER = "U04LILAS0CM", "U0NOTINKIT"


def slash(client, text: str, *, user: str = CLAIRE, command: str = "/crise", secret: str = SLACK_SECRET):
    body = urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": "T0LILAS",
            "channel_id": "C0CRISIS",
            "user_id": user,
            "user_name": "someone",
            "command": command,
            "text": text,
            "response_url": "https://hooks.slack.com/commands/T0LILAS/1/abc",
            "trigger_id": "1.2.3",
        }
    )
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body),
    }
    return client.post("/slack/commands", content=body, headers=headers), body, headers


def stored_signals(sessions) -> list[Signal]:
    with transaction(sessions) as session:
        return list(session.scalars(select(Signal).order_by(Signal.id)))


def test_crise_reports_an_attack_and_answers_privately_with_the_incident(client, hotel, trigger):
    response, _, _ = slash(
        client, "Hôtel des Lilas | Avis 1 étoile : « punaises partout » | https://g.co/kgs/x1"
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    [signal] = stored_signals(hotel)
    assert (signal.source, signal.text, signal.url) == (
        "slack",
        "Avis 1 étoile : « punaises partout »",
        "https://g.co/kgs/x1",
    )
    assert signal.reported_by == "claire.morel"  # the kit's person with that Slack id
    assert "ouvert" in answer["text"] and trigger.calls[0][0].incident_ref in answer["text"]
    assert [o.signal_id for o in trigger.calls[0]] == [signal.id]


def test_crisis_answers_in_english_and_names_an_unknown_reporter_by_slack_id(client, hotel):
    response, _, _ = slash(client, "Lilas hotel | They stole my wallet", command="/crisis", user=OUTSIDER)
    assert "opened about Lilas hotel" in response.json()["text"]
    [signal] = stored_signals(hotel)
    assert signal.reported_by == f"slack:{OUTSIDER}"


def test_a_second_report_of_the_same_text_joins_nothing_and_alerts_nobody(client, hotel, trigger):
    slash(client, "Hôtel des Lilas | Chambre sale")
    response, _, _ = slash(client, "Hôtel des Lilas | Chambre  sale")  # same words: the same signal
    assert "Déjà signalé" in response.json()["text"]
    assert len(stored_signals(hotel)) == 1 and len(trigger.calls) == 1


def test_a_link_slack_formatted_as_markup_is_stored_as_its_url(client, hotel):
    slash(client, "Hôtel des Lilas | Faux avis &lt;viral&gt; | <https://x.com/a/status/1|x.com/a/status/1>")
    [signal] = stored_signals(hotel)
    assert (signal.text, signal.url) == ("Faux avis <viral>", "https://x.com/a/status/1")


def test_what_was_typed_is_escaped_in_the_answer(client):
    response, _, _ = slash(client, "&lt;!channel&gt; Lilas &amp; Co | Scandale")
    text = response.json()["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt; Lilas &amp; Co" in text


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("help", id="help"),
        pytest.param("Hôtel des Lilas sans séparateur", id="no-pipe"),
        pytest.param(" | Chambre sale", id="no-target"),
        pytest.param("Hôtel des Lilas |   ", id="no-text"),
    ],
)
def test_bad_syntax_gets_the_usage_and_stores_nothing(client, hotel, trigger, text):
    before = store_counts(hotel)
    response, _, _ = slash(client, text)
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral" and "Usage" in response.json()["text"]
    assert store_counts(hotel) == before and trigger.calls == []


def test_a_report_the_intake_refuses_says_why_and_stores_nothing(client, hotel):
    response, _, _ = slash(client, f"{'L' * 300} | Chambre sale")
    assert "target:" in response.json()["text"] and "at most 200" in response.json()["text"]
    assert stored_signals(hotel) == []


def test_a_replayed_command_changes_nothing(client, hotel, trigger):
    first, body, headers = slash(client, "Hôtel des Lilas | Chambre sale")
    before = store_counts(hotel)
    replay = client.post("/slack/commands", content=body, headers=headers)
    assert replay.status_code == 200 and "déjà été reçue" in replay.json()["text"]
    assert store_counts(hotel) == before and len(trigger.calls) == 1


def test_a_forged_command_is_refused_and_stores_nothing(client, hotel, trigger):
    response, _, _ = slash(client, "Hôtel des Lilas | Chambre sale", secret="not-the-slack-signing-secret")
    assert response.status_code == 401
    assert stored_signals(hotel) == [] and trigger.calls == []


def test_without_a_kit_the_command_says_so_and_stores_nothing(sessions):
    client = build_client(sessions, Trigger())
    response, _, _ = slash(client, "Hôtel des Lilas | Chambre sale")
    assert "Aucun kit de crise" in response.json()["text"]
    assert stored_signals(sessions) == []
