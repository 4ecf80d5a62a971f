"""Queueing a message: one row per idempotency key, written in the caller's transaction (both databases)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from jinja2 import UndefinedError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models import Notification, NotificationStatus, Person, Target, transaction
from notifications import enqueue, route_for

ContextFactory = Callable[..., dict[str, Any]]
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
KEY = "incident:1/surround/community_manager/person:1"
ROUTE = [["slack", "U0ALICE"], ["email", "alice@hotel-du-lac.example"], ["console", "alice"]]


def queue(session: Session, context: dict[str, Any], *, key: str = KEY, locale: str = "fr") -> Notification:
    return enqueue(session, key=key, template="alert", locale=locale, context=context, route=ROUTE, at=NOW)


def count(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(Notification)) or 0


def test_a_queued_message_is_pending_and_due_at_once(sessions, alert_context: ContextFactory) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        queue(session, alert_context())

    with transaction(sessions) as session:
        row = session.scalars(select(Notification)).one()
        assert (row.key, row.template, row.locale) == (KEY, "alert", "fr")
        assert row.status == NotificationStatus.PENDING
        assert row.next_attempt_at == NOW
        assert row.route == ROUTE and row.route_index == 0 and row.attempts == 0
        assert row.context["signal"]["text"] == "Dirty rooms, rude staff. Avoid!"


def test_the_same_key_twice_is_one_message(sessions, alert_context: ContextFactory) -> None:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        first = queue(session, alert_context())
    with transaction(sessions) as session:
        again = queue(session, alert_context(person_name="Someone Else"))
        assert again.id == first.id
        assert again.context["person_name"] == "Alice Martin"  # returned unchanged

    assert count(sessions) == 1


def test_nothing_is_queued_if_the_callers_transaction_fails(sessions, alert_context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        queue(session, alert_context())
        raise RuntimeError("the state change that caused the message failed")

    assert count(sessions) == 0


def test_a_context_the_template_cannot_render_is_refused_at_once(sessions, alert_context) -> None:  # type: ignore[no-untyped-def]
    context = alert_context()
    del context["signal"]

    with pytest.raises(UndefinedError), transaction(sessions) as session:
        queue(session, context)

    assert count(sessions) == 0


def test_two_writers_racing_on_one_key_leave_one_row_and_both_commit(sessions, alert_context) -> None:  # type: ignore[no-untyped-def]
    other_writer: dict[str, Any] = {}

    def second_writer() -> None:
        with transaction(sessions) as session:
            session.add(Target(key="other-work", name="Work done in the same transaction"))
            other_writer["id"] = queue(session, alert_context(person_name="Second Writer")).id

    with transaction(sessions) as session:
        first_id = queue(session, alert_context()).id
        session.flush()
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.3)  # let the second writer reach the key while this transaction still holds it
    thread.join(timeout=30)

    assert other_writer["id"] == first_id
    assert count(sessions) == 1
    with transaction(sessions) as session:
        assert session.scalars(select(Target.name).where(Target.key == "other-work")).one()


def test_a_person_is_reached_by_slack_then_email_then_the_console() -> None:
    alice = Person(key="alice", name="Alice", email="alice@example.com", slack_user_id="U0ALICE")

    assert route_for(alice, available={"slack", "email", "console"}) == [
        ["slack", "U0ALICE"],
        ["email", "alice@example.com"],
        ["console", "alice"],
    ]


def test_a_route_only_uses_channels_that_are_set_up_and_addresses_the_person_has() -> None:
    alice = Person(key="alice", name="Alice", email="alice@example.com", slack_user_id="U0ALICE")
    bob = Person(key="bob", name="Bob", email=None, slack_user_id=None)

    assert route_for(alice, available={"console"}) == [["console", "alice"]]
    assert route_for(alice, available={"email", "console"}) == [
        ["email", "alice@example.com"],
        ["console", "alice"],
    ]
    assert route_for(bob, available={"slack", "email", "console"}) == [["console", "bob"]]
