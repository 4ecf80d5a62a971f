"""The Slack seam, against a fake Slack Web API on loopback: rooms, invites, direct messages, Block Kit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from notifications import Delivery, DeliveryError, SlackChannel, make_slack_client, render_message

ContextFactory = Callable[..., dict[str, Any]]
HOSTILE_REVIEW = "Never stayed here. <!channel> <!here> <@U999> <https://evil.example|click> & co"
KEY = "incident:1/surround/community_manager/person:1"


def delivery(
    template: str, context: dict[str, Any], *, address: str, locale: str = "fr", room_id: str | None = None
) -> Delivery:
    return Delivery(
        key=KEY,
        template=template,
        locale=locale,
        address=address,
        is_drill=context["is_drill"],
        message=render_message(template, locale, context),
        incident_ref=context["ref"],
        incident_title=context["title"],
        room_id=room_id,
    )


def strings_in(value: Any) -> list[str]:
    """Every string anywhere in a JSON-like payload."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def test_opening_a_room_creates_a_channel_named_after_the_incident(fake_slack, slack: SlackChannel) -> None:  # type: ignore[no-untyped-def]
    room = slack.open_incident_room("CRI-2026-0001", "Fake one-star review")

    assert fake_slack.calls_to("conversations.create") == [{"name": "cri-2026-0001"}]
    assert fake_slack.channels["cri-2026-0001"] == room
    assert fake_slack.calls_to("conversations.setTopic") == [
        {"channel": room, "topic": "CRI-2026-0001 · Fake one-star review"}
    ]


def test_a_room_left_by_an_earlier_attempt_is_found_not_duplicated(fake_slack, slack: SlackChannel) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        fake_slack.add_channel(f"team-{n}", f"C0TEAM{n}")
    fake_slack.add_channel("cri-2026-0001", "C0EXISTING")

    assert slack.open_incident_room("CRI-2026-0001", "Fake one-star review") == "C0EXISTING"
    assert len(fake_slack.calls_to("conversations.list")) > 1  # it followed the cursor to the last page
    assert list(fake_slack.channels).count("cri-2026-0001") == 1


def test_inviting_someone_already_in_the_room_is_fine(fake_slack, slack: SlackChannel) -> None:  # type: ignore[no-untyped-def]
    room = slack.open_incident_room("CRI-2026-0001", "Fake one-star review")
    slack.invite(room, ["U0ALICE", "U0BOB"])
    slack.invite(room, ["U0ALICE"])

    assert fake_slack.calls_to("conversations.invite")[0] == {"channel": room, "users": "U0ALICE,U0BOB"}
    assert fake_slack.members[room] == {"U0ALICE", "U0BOB"}


def test_an_alert_opens_the_room_invites_the_person_and_messages_them_directly(  # type: ignore[no-untyped-def]
    fake_slack, slack: SlackChannel, alert_context: ContextFactory
) -> None:
    result = slack.send(delivery("alert", alert_context(), address="U0ALICE"))

    room = fake_slack.channels["cri-2026-0001"]
    assert result.room_id == room
    assert fake_slack.calls_to("conversations.invite") == [{"channel": room, "users": "U0ALICE"}]
    assert fake_slack.calls_to("conversations.open") == [{"users": "U0ALICE"}]
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post["channel"] == "D0ALICE"
    assert result.provider_message_id.startswith("D0ALICE:")
    assert post["metadata"] == {
        "event_type": "cellule_notification",
        "event_payload": {"key": KEY, "template": "alert", "is_drill": False},
    }
    header, section, context, actions = post["blocks"]
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert header["text"]["text"].startswith("CRI-2026-0001 · Cellule de crise")
    assert section["text"] == {"type": "mrkdwn", "text": section["text"]["text"], "verbatim": True}
    assert "Bonjour Alice Martin" in section["text"]["text"]
    assert context["type"] == "context"
    assert [(b["action_id"], b["text"]["text"], b["value"]) for b in actions["elements"]] == [
        ("ack", "Je prends", KEY),
        ("decline", "Je ne peux pas", KEY),
    ]


def test_english_speakers_get_english_buttons(fake_slack, slack: SlackChannel, alert_context) -> None:  # type: ignore[no-untyped-def]
    slack.send(delivery("alert", alert_context(), address="U0BOB", locale="en"))

    actions = fake_slack.calls_to("chat.postMessage")[0]["blocks"][-1]
    assert [b["text"]["text"] for b in actions["elements"]] == ["Acknowledge", "Can't take it"]


def test_the_room_summary_is_posted_in_the_existing_room_without_buttons(  # type: ignore[no-untyped-def]
    fake_slack, slack: SlackChannel, room_context: ContextFactory
) -> None:
    fake_slack.add_channel("cri-2026-0001", "C0ROOM")

    result = slack.send(delivery("room_summary", room_context(), address="room", room_id="C0ROOM"))

    assert fake_slack.calls_to("conversations.create") == []
    [post] = fake_slack.calls_to("chat.postMessage")
    assert post["channel"] == "C0ROOM"
    assert [block["type"] for block in post["blocks"]] == ["header", "section", "context"]
    assert result.room_id == "C0ROOM"


def test_hostile_text_arrives_in_slack_escaped_and_inert(  # type: ignore[no-untyped-def]
    fake_slack, slack: SlackChannel, alert_context: ContextFactory
) -> None:
    signal = {**alert_context()["signal"], "text": HOSTILE_REVIEW, "author": "<!everyone>"}
    context = alert_context(signal=signal, title="Hotel <!here> scandal", target="Hôtel <@U1> du Lac")

    slack.send(delivery("alert", context, address="U0ALICE", locale="en"))

    post = fake_slack.calls_to("chat.postMessage")[0]
    section = post["blocks"][1]["text"]["text"]
    assert (
        "&lt;!channel&gt; &lt;!here&gt; &lt;@U999&gt; &lt;https://evil.example|click&gt; &amp; co" in section
    )
    assert "Hotel &lt;!here&gt; scandal" in section
    assert "(Hôtel ‹@U1› du Lac)" in post["blocks"][0]["text"]["text"]  # plain_text, look-alike brackets
    for call in fake_slack.calls:
        for text in strings_in(call.payload):
            assert "<!" not in text and "<@" not in text and "<http" not in text


def test_long_messages_stay_within_block_kit_limits(  # type: ignore[no-untyped-def]
    fake_slack, slack: SlackChannel, alert_context: ContextFactory
) -> None:
    gaps = [{"code": "no_one_for_role", "subject": f"role_{n}_" + "&" * 150} for n in range(60)]
    slack.send(delivery("alert", alert_context(title="T" * 400, gaps=gaps), address="U0ALICE"))

    blocks = fake_slack.calls_to("chat.postMessage")[0]["blocks"]
    assert len(blocks[0]["text"]["text"]) <= 150
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert len(sections) > 1 and all(len(text) <= 3000 for text in sections)
    assert all(text.count("&") == text.count(";") for text in sections)  # no entity cut in half


def test_rate_limiting_is_retryable_after_the_delay_slack_asks_for(  # type: ignore[no-untyped-def]
    fake_slack, slack: SlackChannel, alert_context: ContextFactory
) -> None:
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=42)

    with pytest.raises(DeliveryError) as failure:
        slack.send(delivery("alert", alert_context(), address="U0ALICE"))

    assert failure.value.retryable
    assert failure.value.retry_after == 42


def test_slack_being_down_is_retryable(fake_slack, slack: SlackChannel, alert_context) -> None:  # type: ignore[no-untyped-def]
    fake_slack.fail("conversations.create", "", status=503)

    with pytest.raises(DeliveryError) as failure:
        slack.send(delivery("alert", alert_context(), address="U0ALICE"))

    assert failure.value.retryable


@pytest.mark.parametrize(
    "method, error",
    [
        ("chat.postMessage", "channel_not_found"),
        ("conversations.invite", "not_in_channel"),
        ("conversations.create", "invalid_auth"),
        ("conversations.open", "user_not_found"),
    ],
)
def test_errors_a_person_must_fix_are_final(
    fake_slack, slack, alert_context, method: str, error: str
) -> None:  # type: ignore[no-untyped-def]
    fake_slack.fail(method, error)

    with pytest.raises(DeliveryError) as failure:
        slack.send(delivery("alert", alert_context(), address="U0ALICE"))

    assert not failure.value.retryable
    assert error in str(failure.value)


def test_an_unreachable_slack_is_retryable(closed_port: int, alert_context: ContextFactory) -> None:
    slack = SlackChannel(make_slack_client("xoxb-test-token", f"http://127.0.0.1:{closed_port}/api"))

    with pytest.raises(DeliveryError) as failure:
        slack.send(delivery("alert", alert_context(), address="U0ALICE"))

    assert failure.value.retryable
