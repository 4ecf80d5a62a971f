"""The capped cadence every reminder keeps, as a plain function: when the next one falls due, how many."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from flows.cadence import due_at, next_due, owed

START = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

everies = st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=30))
counts = st.integers(min_value=0, max_value=10)
offsets = st.timedeltas(min_value=timedelta(days=-60), max_value=timedelta(days=400))


def test_the_first_reminder_falls_due_at_the_start_then_one_every_cadence():
    assert [next_due(start=START, every=HOUR, sent=n, at_most=3) for n in range(4)] == [
        START,
        START + HOUR,
        START + 2 * HOUR,
        None,
    ]


def test_an_early_first_reminder_leaves_the_later_ones_on_the_cadence_from_the_start():
    early = START - timedelta(days=3)
    assert [next_due(start=START, every=HOUR, sent=n, at_most=3, first=early) for n in range(4)] == [
        early,
        START + HOUR,
        START + 2 * HOUR,
        None,
    ]


def test_without_a_cap_the_cadence_goes_on():
    assert next_due(start=START, every=HOUR, sent=40) == START + 40 * HOUR


def test_nothing_is_owed_before_the_start_and_never_more_than_the_cap():
    assert owed(start=START, every=HOUR, now=START - timedelta(seconds=1), at_most=3) == 0
    assert owed(start=START, every=HOUR, now=START, at_most=3) == 1
    assert owed(start=START, every=HOUR, now=START + HOUR - timedelta(seconds=1), at_most=3) == 1
    assert owed(start=START, every=HOUR, now=START + HOUR, at_most=3) == 2
    assert owed(start=START, every=HOUR, now=START + 100 * HOUR, at_most=3) == 3
    assert owed(start=START, every=HOUR, now=START + 100 * HOUR, at_most=0) == 0


@given(every=everies, sent=counts, at_most=counts)
def test_a_cap_reached_means_no_next_reminder(every, sent, at_most):
    due = next_due(start=START, every=every, sent=sent, at_most=at_most)
    assert (due is None) == (sent >= at_most)


@given(every=everies, at_most=counts, offset=offsets, lead=st.sampled_from([None, timedelta(days=3)]))
def test_owed_counts_the_reminders_fallen_due_by_now(every, at_most, offset, lead):
    now = START + offset
    first = None if lead is None else START - lead
    fallen_due = [n for n in range(1, at_most + 1) if due_at(n, start=START, every=every, first=first) <= now]
    assert owed(start=START, every=every, now=now, at_most=at_most, first=first) == len(fallen_due)


@given(every=everies, at_most=counts, offset=offsets)
def test_sending_what_is_owed_leaves_the_next_reminder_in_the_future(every, at_most, offset):
    now = START + offset
    sent = owed(start=START, every=every, now=now, at_most=at_most)
    due = next_due(start=START, every=every, sent=sent, at_most=at_most)
    assert due is None or due > now
