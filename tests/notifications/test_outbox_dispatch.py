"""Dispatching the outbox on both databases: sent once, retried with backoff, falling back, never lost.

Real channels throughout: Slack through a real WebClient to the fake Web API, email to a real SMTP server,
the console to a text stream.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import Incident, Notification, NotificationStatus, transaction
from notifications import ConsoleChannel, Delivery, SlackChannel, dispatch_due, enqueue, render_message
from tests.fakes.slack import BOT_TOKEN

ContextFactory = Callable[..., dict[str, Any]]
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
ALICE_SLACK = ["slack", "U0ALICE"]
ALICE_EMAIL = ["email", "alice@hotel-du-lac.example"]
ALICE_CONSOLE = ["console", "alice"]


def queue_alert(  # type: ignore[no-untyped-def]
    sessions: sessionmaker[Session],
    crisis,
    context: dict[str, Any],
    *,
    route: list[list[str]],
    key: str = "incident:1/surround/community_manager/person:1",
    is_drill: bool = False,
) -> int:
    with transaction(sessions) as session:
        row = enqueue(
            session,
            key=key,
            template="alert",
            locale="fr",
            context=context,
            route=route,
            at=NOW,
            incident_id=crisis.incident_id,
            person_id=crisis.alice_id,
            is_drill=is_drill,
        )
        session.flush()
        return row.id


def load(sessions: sessionmaker[Session], notification_id: int) -> Notification:
    with transaction(sessions) as session:
        return session.get_one(Notification, notification_id)


def test_a_message_is_sent_once_even_if_dispatch_runs_twice(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, alert_context: ContextFactory
) -> None:
    row_id = queue_alert(sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_CONSOLE])
    console = io.StringIO()
    channels = {"console": ConsoleChannel(console)}

    first = dispatch_due(sessions, channels=channels, now=NOW)
    second = dispatch_due(sessions, channels=channels, now=NOW + timedelta(hours=1))

    assert (first.sent, second.sent) == (1, 0)
    assert console.getvalue().count("Bonjour Alice Martin") == 1
    row = load(sessions, row_id)
    assert row.status == NotificationStatus.SENT
    assert row.provider_message_id == f"console:{row.key}"
    assert row.sent_body == console.getvalue()
    assert row.sent_at == NOW
    assert "10:12 (Europe/Paris)" in row.sent_body  # shown in Alice's time zone


def test_an_alert_on_slack_gives_the_incident_its_room(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, fake_slack, slack, alert_context, room_context
) -> None:
    crisis = defamatory_review_at_hotel
    queue_alert(sessions, crisis, alert_context(), route=[ALICE_SLACK])
    with transaction(sessions) as session:
        enqueue(
            session,
            key="incident:1/slack/room",
            template="room_summary",
            locale="fr",
            context=room_context(),
            route=[["slack", "room"]],
            at=NOW,
            incident_id=crisis.incident_id,
        )

    report = dispatch_due(sessions, channels={"slack": slack}, now=NOW, incident_id=crisis.incident_id)

    assert report.sent == 2
    room = fake_slack.channels["cri-2026-0001"]
    assert len(fake_slack.calls_to("conversations.create")) == 1  # the summary reused the alert's room
    assert [post["channel"] for post in fake_slack.calls_to("chat.postMessage")] == ["D0ALICE", room]
    with transaction(sessions) as session:
        assert session.get_one(Incident, crisis.incident_id).slack_channel_id == room


def test_a_rate_limited_message_waits_as_asked_then_goes(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, fake_slack, slack, alert_context
) -> None:
    row_id = queue_alert(
        sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_SLACK, ALICE_CONSOLE]
    )
    fake_slack.fail("chat.postMessage", "ratelimited", status=429, retry_after=90, times=1)
    channels = {"slack": slack, "console": ConsoleChannel(io.StringIO())}

    first = dispatch_due(sessions, channels=channels, now=NOW)
    row = load(sessions, row_id)
    assert (first.retried, first.sent) == (1, 0)
    assert (row.status, row.attempts, row.next_attempt_at) == (
        NotificationStatus.PENDING,
        1,
        NOW + timedelta(seconds=90),
    )
    assert "ratelimited" in (row.last_error or "")

    too_early = dispatch_due(sessions, channels=channels, now=NOW + timedelta(seconds=89))
    later = dispatch_due(sessions, channels=channels, now=NOW + timedelta(seconds=90))

    assert too_early.sent == 0 and later.sent == 1
    row = load(sessions, row_id)
    assert row.status == NotificationStatus.SENT and row.channel == "slack"
    assert list(fake_slack.channels).count("cri-2026-0001") == 1  # the retry found the room, made no second


def test_a_temporary_failure_backs_off_then_falls_back_after_three_attempts(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, smtp_server, email, alert_context
) -> None:
    row_id = queue_alert(
        sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_EMAIL, ALICE_CONSOLE]
    )
    smtp_server.mailbox.refuse_with = "451 4.7.1 Greylisted, try again later"
    channels = {"email": email, "console": ConsoleChannel(io.StringIO())}

    waits = []
    at = NOW
    for _ in range(2):
        assert dispatch_due(sessions, channels=channels, now=at).retried == 1
        row = load(sessions, row_id)
        waits.append(row.next_attempt_at - at)
        at = row.next_attempt_at
    third = dispatch_due(sessions, channels=channels, now=at)

    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
    assert (third.fell_back, third.sent) == (1, 1)
    row = load(sessions, row_id)
    assert (row.status, row.channel) == (NotificationStatus.SENT, "console")


def test_a_broken_slack_route_falls_back_to_email_then_the_console(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, fake_slack, slack, smtp_server, email, alert_context
) -> None:
    fake_slack.fail("conversations.create", "invalid_auth")
    smtp_server.mailbox.refuse_with = "550 5.1.1 Mailbox unavailable"
    console = io.StringIO()
    row_id = queue_alert(
        sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_SLACK, ALICE_EMAIL, ALICE_CONSOLE]
    )

    report = dispatch_due(
        sessions, channels={"slack": slack, "email": email, "console": ConsoleChannel(console)}, now=NOW
    )

    assert (report.fell_back, report.sent, report.retried) == (2, 1, 0)
    assert len(fake_slack.calls_to("conversations.create")) == 1  # a final error is not retried
    assert "To: alice" in console.getvalue()
    row = load(sessions, row_id)
    assert (row.status, row.route_index) == (NotificationStatus.SENT, 2)
    assert "550" in (row.last_error or "")  # why the console had to be used stays on record


def test_a_claim_left_by_a_crashed_dispatcher_is_taken_again_once_it_lapses(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, alert_context
) -> None:
    row_id = queue_alert(sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_CONSOLE])
    with transaction(sessions) as session:
        row = session.get_one(Notification, row_id)
        row.status, row.attempts, row.claimed_until = (
            NotificationStatus.SENDING,
            1,
            NOW + timedelta(minutes=5),
        )
    console = io.StringIO()
    channels = {"console": ConsoleChannel(console)}

    while_claimed = dispatch_due(sessions, channels=channels, now=NOW + timedelta(minutes=4))
    after_lapse = dispatch_due(sessions, channels=channels, now=NOW + timedelta(minutes=6))

    assert (while_claimed.sent, after_lapse.sent) == (0, 1)
    assert load(sessions, row_id).status == NotificationStatus.SENT


def test_a_message_no_channel_can_deliver_is_dead_with_the_reason(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, smtp_server, email, alert_context
) -> None:
    smtp_server.mailbox.refuse_with = "550 5.1.1 Mailbox unavailable"
    row_id = queue_alert(
        sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_EMAIL, ALICE_SLACK]
    )

    report = dispatch_due(sessions, channels={"email": email}, now=NOW)  # Slack is not set up here

    assert (report.fell_back, report.dead, report.sent) == (1, 1, 0)
    row = load(sessions, row_id)
    assert row.status == NotificationStatus.DEAD
    assert "not configured" in (row.last_error or "")
    assert dispatch_due(sessions, channels={"email": email}, now=NOW + timedelta(days=1)).dead == 0


def test_a_message_that_no_longer_renders_is_dead_at_once_and_does_not_block_the_queue(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, alert_context
) -> None:
    # Queued before a template change: its stored context lacks a value the template now needs.
    stale_context = alert_context()
    del stale_context["target"]
    with transaction(sessions) as session:
        stale = Notification(
            key="incident:1/old",
            template="alert",
            locale="fr",
            context=stale_context,
            route=[ALICE_CONSOLE],
            next_attempt_at=NOW,
        )
        session.add(stale)
        session.flush()
        stale_id = stale.id
    fresh_id = queue_alert(sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_CONSOLE])

    report = dispatch_due(sessions, channels={"console": ConsoleChannel(io.StringIO())}, now=NOW)

    assert (report.dead, report.sent) == (1, 1)
    stale_row = load(sessions, stale_id)
    assert stale_row.status == NotificationStatus.DEAD
    assert "render" in (stale_row.last_error or "") and "target" in (stale_row.last_error or "")
    assert load(sessions, fresh_id).status == NotificationStatus.SENT


def test_a_drill_message_is_marked_even_if_its_context_forgot(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, alert_context
) -> None:
    row_id = queue_alert(
        sessions,
        defamatory_review_at_hotel,
        alert_context(is_drill=False),
        route=[ALICE_CONSOLE],
        is_drill=True,
    )

    dispatch_due(sessions, channels={"console": ConsoleChannel(io.StringIO())}, now=NOW)

    assert "Subject: EXERCICE —" in (load(sessions, row_id).sent_body or "")


def test_dispatch_for_one_incident_leaves_other_messages_queued(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, alert_context
) -> None:
    queue_alert(sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_CONSOLE])
    with transaction(sessions) as session:
        other = enqueue(
            session,
            key="digest/2026-03-14",
            template="alert",
            locale="en",
            context=alert_context(),
            route=[ALICE_CONSOLE],
            at=NOW,
        )
        session.flush()
        other_id = other.id

    report = dispatch_due(
        sessions,
        channels={"console": ConsoleChannel(io.StringIO())},
        now=NOW,
        incident_id=defamatory_review_at_hotel.incident_id,
    )

    assert report.sent == 1
    assert load(sessions, other_id).status == NotificationStatus.PENDING


def test_two_dispatchers_at_once_send_each_message_exactly_once(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, alert_context
) -> None:
    keys = [f"incident:1/surround/role-{n}/person:1" for n in range(24)]
    for key in keys:
        queue_alert(sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_CONSOLE], key=key)
    console = io.StringIO()
    channels = {"console": ConsoleChannel(console)}
    reports = []

    def dispatcher() -> None:
        reports.append(dispatch_due(sessions, channels=channels, now=NOW))

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(report.sent for report in reports) == len(keys)
    assert console.getvalue().count("Subject: ") == len(keys)
    with transaction(sessions) as session:
        statuses = session.scalars(select(Notification.status)).all()
    assert set(statuses) == {NotificationStatus.SENT}


def _as_the_crashed_dispatcher_sent_it(slack, crisis, context: dict[str, Any], key: str) -> str:  # type: ignore[no-untyped-def]
    """What a dispatcher killed between Slack's answer and its commit had done: the post, and nothing else."""
    delivery = Delivery(
        key=key,
        template="alert",
        locale="fr",
        address="U0ALICE",
        is_drill=False,
        message=render_message("alert", "fr", context),
        incident_ref="CRI-2026-0001",
        incident_title="Fake review",
    )
    return slack.send(delivery).provider_message_id


def test_a_message_slack_took_before_the_dispatcher_died_is_not_posted_again(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, fake_slack, slack, alert_context
) -> None:
    crisis, key = defamatory_review_at_hotel, "incident:1/surround/community_manager/person:1"
    row_id = queue_alert(sessions, crisis, alert_context(), route=[ALICE_SLACK, ALICE_CONSOLE], key=key)
    posted = _as_the_crashed_dispatcher_sent_it(slack, crisis, alert_context(), key)
    with transaction(sessions) as session:
        row = session.get_one(Notification, row_id)
        row.status, row.attempts, row.claimed_until = (
            NotificationStatus.SENDING,
            1,
            NOW + timedelta(minutes=5),
        )

    report = dispatch_due(sessions, channels={"slack": slack}, now=NOW + timedelta(minutes=6))

    assert report.sent == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # found in the DM's history, not posted twice
    row = load(sessions, row_id)
    assert (row.status, row.provider_message_id) == (NotificationStatus.SENT, posted)


def test_an_answer_lost_after_slack_took_the_message_is_not_a_second_post(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, fake_slack, alert_context
) -> None:
    row_id = queue_alert(sessions, defamatory_review_at_hotel, alert_context(), route=[ALICE_SLACK])
    impatient = SlackChannel(WebClient(token=BOT_TOKEN, base_url=fake_slack.base_url, timeout=0.3))
    fake_slack.answer_late("chat.postMessage", 5.0)

    first = dispatch_due(sessions, channels={"slack": impatient}, now=NOW)
    fake_slack.answer_on_time()
    second = dispatch_due(sessions, channels={"slack": impatient}, now=NOW + timedelta(minutes=1))

    assert (first.retried, second.sent) == (1, 1)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert load(sessions, row_id).status == NotificationStatus.SENT


def test_without_history_scopes_a_doubtful_message_is_posted_again_rather_than_lost(  # type: ignore[no-untyped-def]
    sessions, defamatory_review_at_hotel, fake_slack, slack, alert_context
) -> None:
    crisis, key = defamatory_review_at_hotel, "incident:1/surround/community_manager/person:1"
    row_id = queue_alert(sessions, crisis, alert_context(), route=[ALICE_SLACK], key=key)
    _as_the_crashed_dispatcher_sent_it(slack, crisis, alert_context(), key)
    with transaction(sessions) as session:
        row = session.get_one(Notification, row_id)
        row.status, row.attempts, row.claimed_until = (
            NotificationStatus.SENDING,
            1,
            NOW + timedelta(minutes=5),
        )
    fake_slack.fail("conversations.history", "missing_scope")

    dispatch_due(sessions, channels={"slack": slack}, now=NOW + timedelta(minutes=6))

    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # at least once: a duplicate, never a loss
    assert load(sessions, row_id).status == NotificationStatus.SENT
