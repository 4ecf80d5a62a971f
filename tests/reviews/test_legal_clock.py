"""The legal clock: a review first published 80 days ago has ten days left, and legal hears of it in time."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cellule.reporting import report_attacks
from flows.intake.reports import parse_report
from flows.reviews.legal_clock import clock_of, read_clock, remind_legal_deadlines
from flows.runtime import Runtime, SimulatedClock
from models import LegalClock, Notification, ReviewCase, TimelineEvent, transaction
from notifications import ConsoleChannel
from notifications.render import render_message
from tests.scenarios.hotel import load_hotel_kit

# Three calendar months from 30 December 2026 is 30 March 2027: 90 days, so 80 days in, 10 are left.
NOW = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def report(sessions: sessionmaker[Session], clock: SimulatedClock, **fields: object) -> ReviewCase:
    runtime = Runtime(sessions, {"console": ConsoleChannel(io.StringIO())}, clock)
    review = {
        "target": "Hôtel des Lilas",
        "platform": "google",
        "external_id": "old-review-1",
        "url": "https://maps.google.com/?cid=123&review=old-review-1",
        "author": "Marc Fontaine",
        "rating": 1,
        "text": "Accueil odieux, chambre sale : à fuir.",
        "reported_by": "claire.morel",
        **fields,
    }
    report_attacks(runtime, [parse_report(review)], source="cli")
    with transaction(sessions) as session:
        return session.scalars(select(ReviewCase).where(ReviewCase.review_id == review["external_id"])).one()


def legal_reminders(sessions: sessionmaker[Session]) -> list[TimelineEvent]:
    with transaction(sessions) as session:
        events = session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "reminder"))
        return [e for e in events if "legal action lapses" in e.summary]


def test_a_review_published_80_days_ago_has_ten_days_left(sessions):
    load_hotel_kit(sessions)
    case = report(sessions, SimulatedClock(NOW), observed_at=NOW - timedelta(days=80))
    with transaction(sessions) as session:
        clock = clock_of(session, case=case)
        assert clock is not None
        reading = read_clock(clock, NOW)
    assert reading.lapses_at == NOW + timedelta(days=10)
    assert (reading.days_left, reading.lapsed) == (10, False)
    assert reading.published_source == "platform"  # the report carried the platform's own time
    assert "29 juillet 1881" in reading.rule
    assert read_clock(clock, NOW + timedelta(days=10, seconds=1)).lapsed


def test_without_the_platforms_date_the_clock_runs_from_first_seen_and_says_so(sessions):
    load_hotel_kit(sessions)
    case = report(sessions, SimulatedClock(NOW))
    with transaction(sessions) as session:
        clock = clock_of(session, case=case)
        assert clock is not None
        assert clock.published_source == "first_seen"
        assert clock.lapses_at == datetime(2027, 6, 20, 9, 0, tzinfo=UTC)


def test_legal_is_reminded_on_the_declared_days_never_twice_the_same_day(sessions):
    load_hotel_kit(sessions)
    clock = SimulatedClock(NOW)
    report(sessions, clock, observed_at=NOW - timedelta(days=80))
    lapse = NOW + timedelta(days=10)
    moment = NOW
    while moment < lapse + timedelta(days=2):  # hourly, twice an hour, past the lapse date
        for _ in range(2):
            with transaction(sessions) as session:
                remind_legal_deadlines(session, now=moment, available={"console"})
        moment += timedelta(hours=1)
    days = [e.at.astimezone(PARIS).date() for e in legal_reminders(sessions)]
    # 30 and 14 days before had passed when the case opened: one reminder at once, then 7 and 2 days before.
    assert days == [NOW.date(), (lapse - timedelta(days=7)).date(), (lapse - timedelta(days=2)).date()]
    with transaction(sessions) as session:
        sent = session.scalars(
            select(Notification).where(Notification.template == "legal_deadline").order_by(Notification.id)
        ).all()
        assert [n.context["person_key"] for n in sent] == ["anne.roux"] * 3  # the roster's legal primary
        assert [n.context["days_left"] for n in sent] == [10, 7, 2]
        assert session.scalars(select(LegalClock)).all()[0].reminders_sent == 3


def test_the_reminder_reads_in_french_and_in_english(sessions):
    load_hotel_kit(sessions)
    report(sessions, SimulatedClock(NOW), observed_at=NOW - timedelta(days=80))
    with transaction(sessions) as session:
        remind_legal_deadlines(session, now=NOW, available={"console"})
        context = session.scalars(
            select(Notification.context).where(Notification.template == "legal_deadline")
        ).one()
    french = render_message("legal_deadline", "fr", context)
    english = render_message("legal_deadline", "en", {**context, "missing": ["screenshots"]})
    assert "prescrite" in french.subject and "10 jour(s)" in french.subject
    assert "prescrite le 30/03/2027 à 11:00 (Europe/Paris) (Loi du 29 juillet 1881" in french.text
    assert "lapses in 10 day(s)" in english.subject
    assert "Still missing" not in english.text and "still lacks: screenshots" in english.text
    assert "cellule review evidence attach" in english.text
