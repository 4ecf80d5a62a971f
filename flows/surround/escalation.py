"""Escalation as a pure plan: given who was called and when, what must happen now, and when next.

The rules, per role the cell needs (PagerDuty-style, for people rather than servers):
- someone acknowledged: the role is filled;
- the person called is silent for `ack_timeout`: remind them, up to `reminders` times, one timeout apart;
- still silent after the last reminder's timeout, or they declined: call the next person of the roster;
- nobody left to call: the role is unfilled — a gap — and the next escalation tier is told.
No store and no clock here, so the rules can be tested exhaustively and explained from this file alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flows.cadence import due_at
from flows.kit.schema import Escalation
from models import ParticipantStatus


@dataclass(frozen=True)
class Call:
    """One person called for one role, as the store has it."""

    participant_id: int
    role: str
    rank: int
    status: ParticipantStatus
    called_at: datetime
    reminders_sent: int


@dataclass(frozen=True)
class Remind:
    participant_id: int


@dataclass(frozen=True)
class GiveUp:
    """Silent past the last reminder: mark them timed out (their backup is called next)."""

    participant_id: int


@dataclass(frozen=True)
class CallNext:
    """Call the next person of the roster for this role, after every rank already tried."""

    role: str
    after_rank: int


Step = Remind | GiveUp | CallNext


def _due(call: Call, policy: Escalation) -> datetime:
    """When a waiting call next needs action: one timeout after the call, then after each reminder."""
    every = policy.ack_timeout
    return due_at(call.reminders_sent + 1, start=call.called_at + every, every=every)


def plan(calls: Sequence[Call], roles: Sequence[str], policy: Escalation, now: datetime) -> list[Step]:
    """The steps due at `now` for the roles the cell needs (a role never called gets its first call)."""
    steps: list[Step] = []
    for role in roles:
        mine = [c for c in calls if c.role == role]
        if any(c.status == ParticipantStatus.ACKNOWLEDGED for c in mine):
            continue
        waiting = [c for c in mine if c.status == ParticipantStatus.CALLED]
        giving_up = 0
        for call in waiting:
            if _due(call, policy) > now:
                continue
            if call.reminders_sent < policy.reminders:
                steps.append(Remind(call.participant_id))
            else:
                steps.append(GiveUp(call.participant_id))
                giving_up += 1
        if giving_up == len(waiting):  # nobody will be waiting for this role after these steps
            steps.append(CallNext(role, after_rank=max((c.rank for c in mine), default=0)))
    return steps


def next_deadline(calls: Sequence[Call], roles: Sequence[str], policy: Escalation) -> datetime | None:
    """The next moment a step will fall due if nobody answers; None when nothing is waiting."""
    filled = {c.role for c in calls if c.status == ParticipantStatus.ACKNOWLEDGED}
    pending = [
        _due(c, policy)
        for c in calls
        if c.role in roles and c.role not in filled and c.status == ParticipantStatus.CALLED
    ]
    return min(pending, default=None)


def is_assembled(calls: Sequence[Call], roles: Sequence[str]) -> bool:
    """Every role the cell needs has an acknowledged member."""
    filled = {c.role for c in calls if c.status == ParticipantStatus.ACKNOWLEDGED}
    return bool(roles) and all(role in filled for role in roles)
