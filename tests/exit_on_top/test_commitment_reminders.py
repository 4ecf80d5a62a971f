"""Owners of commitments due soon or late are reminded through the outbox: once before, then while late,
capped, one message per run — and promises outlive the incident.

The defaults: 3 days before the due date, then every 7 days late, at most 3 reminders.
"""

from __future__ import annotations

from datetime import timedelta

from flows.exit_on_top.commitments import next_reminder_at, remind_commitment_owners, reminders_owed
from flows.kit.loading import require_kit
from flows.kit.schema import CommitmentReminders
from models import transaction
from tests.exit_on_top.scenario import T0

DUE = T0 + timedelta(days=30)
POLICY = CommitmentReminders()


def remind(cell, at) -> list[int]:
    with transaction(cell.sessions) as session:
        return remind_commitment_owners(session, kit=require_kit(session), now=at, available={"console"})


def reminders(cell) -> list[tuple[str, bool, str]]:
    return [(n.key.split("/")[2], n.context["late"], n.address) for n in cell.outbox("commitment_reminder")]


def test_the_schedule_once_before_then_while_late_capped():
    assert reminders_owed(DUE, DUE - timedelta(days=3, seconds=1), POLICY) == 0
    assert reminders_owed(DUE, DUE - timedelta(days=3), POLICY) == 1
    assert reminders_owed(DUE, DUE + timedelta(days=6), POLICY) == 1
    assert reminders_owed(DUE, DUE + timedelta(days=7), POLICY) == 2
    assert reminders_owed(DUE, DUE + timedelta(days=300), POLICY) == 3
    assert [next_reminder_at(DUE, sent, POLICY) for sent in range(4)] == [
        DUE - timedelta(days=3),
        DUE + timedelta(days=7),
        DUE + timedelta(days=14),
        None,
    ]
    assert reminders_owed(DUE, DUE + timedelta(days=30), CommitmentReminders(at_most=0)) == 0


def test_the_owner_is_reminded_when_due_soon_then_late_and_no_more_than_the_cap(cell):
    cell.commit(owner="sophie.marchand", due=timedelta(days=30))

    assert remind(cell, DUE - timedelta(days=4)) == []
    assert len(remind(cell, DUE - timedelta(days=3))) == 1
    assert remind(cell, DUE - timedelta(days=2)) == []  # nothing new owed: no spam
    remind(cell, DUE + timedelta(days=7))
    remind(cell, DUE + timedelta(days=14))
    assert remind(cell, DUE + timedelta(days=60)) == []  # capped at 3

    assert reminders(cell) == [
        ("reminder:1", False, "sophie.marchand"),
        ("reminder:2", True, "sophie.marchand"),
        ("reminder:3", True, "sophie.marchand"),
    ]
    assert [e.summary for e in cell.timeline("reminder")] == [
        "C1 is due 2026-12-26: Sophie Marchand reminded (1/3)",
        "C1 is late: Sophie Marchand reminded (2/3)",
        "C1 is late: Sophie Marchand reminded (3/3)",
    ]


def test_after_a_scheduler_outage_one_reminder_not_the_backlog(cell):
    cell.commit(due=timedelta(days=30))
    assert len(remind(cell, DUE + timedelta(days=8))) == 1
    assert remind(cell, DUE + timedelta(days=8, minutes=1)) == []
    assert reminders(cell) == [("reminder:2", True, "sophie.marchand")]  # numbered by what was owed


def test_kept_and_dropped_promises_are_not_chased_resolved_incidents_are(cell):
    cell.apologise_in_public()  # C1, due in 30 days
    cell.resolve("Un accueil formé.")
    assert len(remind(cell, DUE + timedelta(days=7))) == 1  # the incident is resolved, the promise stands

    cell.keep()
    assert remind(cell, DUE + timedelta(days=14)) == []


def test_a_drill_reminder_is_marked_as_an_exercise(drill):
    drill.commit()
    remind(drill, DUE)
    [notification] = drill.outbox("commitment_reminder")
    assert notification.is_drill
