"""The capped cadence every reminder keeps: the first one at `start`, then one every `every`, at most so many.

A silent person called for a role, a cell with no lead, a draft waiting past its target, a platform's late
decision, a commitment due or late: each is chased on a cadence the playbook sets and never more than a
number of times, so nobody is harassed and nothing is forgotten. Pure arithmetic, no store and no clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def due_at(n: int, *, start: datetime, every: timedelta, first: datetime | None = None) -> datetime:
    """When the `n`-th reminder (1, 2, …) falls due: `start`, then every `every`.

    `first`, when given, brings the first reminder forward (a commitment's owner hears before the due
    date); the later ones keep the cadence counted from `start`.
    """
    if n == 1 and first is not None:
        return first
    return start + every * (n - 1)


def next_due(
    *,
    start: datetime,
    every: timedelta,
    sent: int,
    at_most: int | None = None,
    first: datetime | None = None,
) -> datetime | None:
    """When the reminder after the `sent` already sent falls due; None once `at_most` were sent."""
    if at_most is not None and sent >= at_most:
        return None
    return due_at(sent + 1, start=start, every=every, first=first)


def owed(
    *,
    start: datetime,
    every: timedelta,
    now: datetime,
    at_most: int,
    first: datetime | None = None,
) -> int:
    """How many reminders have fallen due by `now`, capped at `at_most`."""
    if now < (start if first is None else first):
        return 0
    fallen_due = 1 + (now - start) // every if now >= start else 1  # before `start`: only the early one
    return max(0, min(fallen_due, at_most))
