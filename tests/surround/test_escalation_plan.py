"""The surround rulebook as a plain function: who is reminded, given up on, or called next, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.kit.schema import Escalation
from flows.surround import Call, CallNext, GiveUp, Remind, is_assembled, next_deadline, plan
from models import ParticipantStatus

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
POLICY = Escalation(ack_timeout=timedelta(minutes=15), reminders=1)
ROLES = ["community_manager", "legal"]


def call(pid: int, role: str, *, rank: int = 1, status=ParticipantStatus.CALLED, reminders: int = 0) -> Call:
    return Call(pid, role, rank, status, T0, reminders)


def test_a_role_never_called_gets_its_first_call():
    assert plan([], ROLES, POLICY, T0) == [CallNext("community_manager", 0), CallNext("legal", 0)]


def test_a_silent_person_is_reminded_one_timeout_after_the_call_and_not_before():
    calls = [call(1, "community_manager"), call(2, "legal", status=ParticipantStatus.ACKNOWLEDGED)]
    assert plan(calls, ROLES, POLICY, T0 + timedelta(minutes=14)) == []
    assert plan(calls, ROLES, POLICY, T0 + timedelta(minutes=15)) == [Remind(1)]


def test_silent_after_the_last_reminder_means_the_backup_is_called():
    calls = [call(1, "community_manager", reminders=1)]
    assert plan(calls, ["community_manager"], POLICY, T0 + timedelta(minutes=30)) == [
        GiveUp(1),
        CallNext("community_manager", after_rank=1),
    ]


def test_a_decline_calls_the_next_rank_at_once():
    calls = [call(1, "legal", status=ParticipantStatus.DECLINED), call(2, "legal", rank=2)]
    assert plan(calls, ["legal"], POLICY, T0) == []  # the backup is already called and still has time
    assert plan(calls[:1], ["legal"], POLICY, T0) == [CallNext("legal", after_rank=1)]


def test_an_acknowledged_role_is_filled_and_nothing_falls_due_for_it():
    calls = [call(1, "legal", status=ParticipantStatus.ACKNOWLEDGED), call(2, "legal", rank=2)]
    assert plan(calls, ["legal"], POLICY, T0 + timedelta(days=1)) == []
    assert next_deadline(calls, ["legal"], POLICY) is None
    assert is_assembled(calls, ["legal"])


def test_the_next_deadline_is_the_earliest_waiting_call():
    calls = [call(1, "community_manager", reminders=1), call(2, "legal")]
    assert next_deadline(calls, ROLES, POLICY) == T0 + timedelta(minutes=15)
    assert not is_assembled(calls, ROLES)
