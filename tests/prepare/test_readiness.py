"""The kit's owner hears about the findings through the outbox: once a day at most, never for a green kit.

Store tests: they run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from flows.prepare.readiness import audit_now, audit_the_kit, send_the_audit, tell_the_owner
from flows.runtime import Runtime, use_runtime
from models import Notification, NotificationStatus, transaction
from notifications import ConsoleChannel, dispatch_due, render_message
from tests.prepare.scenario import EMAIL, NOW, FixedClock, ready_kit


def audit_and_tell(sessions, *, now=NOW):  # type: ignore[no-untyped-def]
    """What the scheduled flow's first step does: audit, and queue the findings for the owner."""
    with transaction(sessions) as session:
        kit, report = audit_now(session, now=now, channels=EMAIL)
        row = tell_the_owner(session, kit=kit, report=report, now=now, channels=set(EMAIL))
        return report, (row.key if row else None)


def outbox(sessions) -> list[Notification]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def test_a_green_kit_sends_nothing(ready_store):
    report, key = audit_and_tell(ready_store)

    assert report.findings == () and key is None
    assert outbox(ready_store) == []


def test_the_owner_gets_the_findings_once_a_day_in_their_language(ready_store, load):
    kit = ready_kit()
    kit["accounts"][1]["two_factor"] = False
    load(ready_store, kit)

    _, key = audit_and_tell(ready_store)
    audit_and_tell(ready_store, now=NOW + timedelta(hours=3))  # the same day in Paris: nothing new
    assert key == "audit:2026-11-26/owner/person:1"
    [message] = outbox(ready_store)
    assert message.route == [["email", "sophie@lilas.example"], ["console", "sophie"]]

    rendered = render_message(message.template, message.locale, message.context)
    assert rendered.subject == "Hôtel des Lilas · Préparation 50/100 : 1 point à corriger, dont 1 critique"
    assert "[CRITIQUE] X @hoteldeslilas : la double authentification est désactivée" in rendered.text
    assert "→ Activez la double authentification" in rendered.text
    assert "Accès : 100/100" in rendered.text and "Comptes : 50/100" in rendered.text

    _, next_day = audit_and_tell(ready_store, now=NOW + timedelta(days=1))
    assert next_day == "audit:2026-11-27/owner/person:1"


def test_the_message_reaches_the_owner_through_the_outbox(ready_store, load):
    kit = ready_kit()
    kit["kit"]["owner"] = "lucas"  # reads English
    kit["accounts"][1]["credentials_in"] = None
    load(ready_store, kit)
    audit_and_tell(ready_store)

    console = io.StringIO()
    dispatch_due(ready_store, channels={"console": ConsoleChannel(console)}, now=NOW)

    [message] = outbox(ready_store)
    assert message.status == NotificationStatus.SENT
    assert "Subject: Hôtel des Lilas · Readiness 95/100: 1 thing to fix" in console.getvalue()
    assert "the kit does not say where its credentials live" in console.getvalue()


def test_the_readiness_flow_steps_run_under_the_runtime(ready_store, load):

    kit = ready_kit()
    kit["accounts"][0]["two_factor"] = False
    load(ready_store, kit)
    console = io.StringIO()
    runtime = Runtime(ready_store, {"console": ConsoleChannel(console)}, FixedClock(NOW))

    with use_runtime(runtime):
        score = audit_the_kit.fn()
        send_the_audit.fn()

    assert score == 50  # a critical finding caps it
    [message] = outbox(ready_store)
    assert message.status == NotificationStatus.SENT
    assert "two-factor" not in console.getvalue()  # Sophie reads French
    assert "la double authentification est désactivée" in console.getvalue()
