"""Intake on both databases: signals stored first, deduplicated, correlated into one incident per target."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from flows.intake.reports import MAX_TEXT_CHARS, IntakeError, parse_report, take_in
from flows.kit.schema import Kit
from models import AttackType, Incident, Severity, Signal, TimelineEvent, transaction

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

SMALL_KIT = Kit.model_validate(
    {
        "kit": {"name": "Hôtel des Lilas", "owner": "camille"},
        "people": [{"key": "camille", "name": "Camille Martin"}],
        "roster": {"community_manager": ["camille"]},
        "severity_rules": [
            {"name": "one star", "when": {"rating_at_most": 1}, "severity": "medium"},
            {"name": "legal words", "when": {"keywords_any": ["avocat"]}, "severity": "high"},
        ],
        "playbooks": {
            "default": {"cell": [{"role": "community_manager"}], "correlation_window": "48h"},
            "defamatory_review": {
                "cell": [{"role": "community_manager"}],
                "correlation_window": "48h",
                "burst": {"reviews": 5, "within": "2h"},
            },
        },
    }
)


def hotel_review(n: int = 1, **overrides):
    fields = {
        "target": "Hôtel des Lilas",
        "platform": "google",
        "external_id": f"review-{n}",
        "author": f"Voyageur_{n}",
        "rating": 1,
        "text": "Chambre sale, personnel odieux.",
        "observed_at": T0 + timedelta(minutes=10 * n),
    }
    return parse_report({**fields, **overrides})


def report(sessions, data, at=T0):
    """Store and triage one report in one transaction, as every front door does."""
    with transaction(sessions) as session:
        [taken] = take_in(session, reports=[data], source="cli", kit=SMALL_KIT, at=at)
    return taken.new_signal, taken.triage


def count(sessions, model):
    with transaction(sessions) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_review_opens_an_incident_with_its_milestones(sessions):
    created, triage = report(sessions, hotel_review())
    assert created and triage.opened
    assert triage.ref == "CRI-2026-0001"
    with transaction(sessions) as session:
        incident = session.get_one(Incident, triage.incident_id)
        assert incident.attack_type == AttackType.DEFAMATORY_REVIEW
        assert incident.severity == Severity.MEDIUM  # the "one star" rule
        assert incident.first_signal_at == T0 + timedelta(minutes=10)
        assert incident.detected_at == T0
        kinds = session.scalars(
            select(TimelineEvent.kind).where(TimelineEvent.incident_id == incident.id)
        ).all()
        assert kinds.count("opened") == 1 and kinds.count("milestone") == 2


def test_the_same_review_reported_twice_is_one_signal_and_one_incident(sessions):
    first = report(sessions, hotel_review())
    again = report(sessions, hotel_review(author="someone else", text="reported again by a colleague"))
    assert first[0] is True and again[0] is False
    assert again[1].incident_id == first[1].incident_id
    assert count(sessions, Signal) == 1
    assert count(sessions, Incident) == 1


def test_five_reviews_of_one_place_within_the_window_make_one_review_bombing(sessions):
    refs = {report(sessions, hotel_review(n))[1].ref for n in range(1, 6)}
    assert refs == {"CRI-2026-0001"}
    with transaction(sessions) as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.attack_type == AttackType.REVIEW_BOMBING
        assert session.scalar(select(func.count()).where(Signal.incident_id == incident.id)) == 5
        reclassified = session.scalars(
            select(TimelineEvent).where(TimelineEvent.kind == "reclassified")
        ).one()
        assert reclassified.old == {"attack_type": "defamatory_review"}


def test_four_reviews_stay_a_defamatory_review(sessions):
    for n in range(1, 5):
        report(sessions, hotel_review(n))
    with transaction(sessions) as session:
        assert session.scalars(select(Incident)).one().attack_type == AttackType.DEFAMATORY_REVIEW


def test_a_review_after_the_window_opens_a_new_incident(sessions):
    report(sessions, hotel_review(1))
    _, later = report(sessions, hotel_review(2, observed_at=T0 + timedelta(days=3)))
    assert later.opened and later.ref == "CRI-2026-0002"


def test_another_place_is_another_incident(sessions):
    report(sessions, hotel_review(1))
    _, other = report(sessions, hotel_review(2, target="Maison Brunel"))
    assert other.opened


def test_severity_only_rises_and_says_why(sessions):
    report(sessions, hotel_review(1))
    report(sessions, hotel_review(2, rating=4, text="Mon avocat va vous contacter"))
    with transaction(sessions) as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.severity == Severity.HIGH
        event = session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "severity")).one()
        assert event.old == {"severity": "medium"} and event.new == {"severity": "high"}
        assert "legal words" in event.summary


def test_a_repeat_changes_nothing_on_the_timeline(sessions):
    _, triage = report(sessions, hotel_review())
    before = count(sessions, TimelineEvent)
    _, again = report(sessions, hotel_review())
    assert again.incident_id == triage.incident_id and not again.opened
    assert count(sessions, TimelineEvent) == before


def test_drills_never_join_real_incidents(sessions):
    report(sessions, hotel_review(1))
    _, drill = report(sessions, hotel_review(2, is_drill=True))
    assert drill.opened and drill.ref.startswith("EXE-")


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"text": "   "}, "text: is empty"),
        ({"text": "x" * 1_000_000}, "text: is too long"),
        ({"text": "caf\udce9"}, "text: is not valid UTF-8"),
        ({"attack_type": "alien_invasion"}, "attack_type"),
        ({"rating": 6}, "rating"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "http://["}, "url: is not a link that can be read"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_reports_get_a_clear_error(overrides, reason):
    with pytest.raises(IntakeError, match=reason):
        hotel_review(**overrides)


def test_control_characters_are_dropped_from_outside_text():
    assert hotel_review(text="avis\x1b[31m rouge\x00").text == "avis[31m rouge"


def test_the_longest_accepted_text_is_stored_whole(sessions):
    report(sessions, hotel_review(text="é" * MAX_TEXT_CHARS))
    with transaction(sessions) as session:
        assert len(session.scalars(select(Signal.text)).one()) == MAX_TEXT_CHARS


def test_the_stored_windows_count_either_side_of_a_signal(sessions):
    from flows.intake.correlation import stored_windows

    # reviews at +10, +20, +30, +40 minutes, then one at +3 h
    for n in range(1, 5):
        report(sessions, hotel_review(n))
    report(sessions, hotel_review(5, observed_at=T0 + timedelta(hours=3)))
    with transaction(sessions) as session:
        incident_id = session.scalars(select(Incident.id)).one()

        def busiest(minutes: int, width: timedelta) -> int:
            around = T0 + timedelta(minutes=minutes)
            return max(
                stored_windows(session, incident_id=incident_id, around=around, width=width, rated=True)
            )

        assert busiest(10, timedelta(hours=1)) == 4  # the hour starting at the first review holds all four
        assert busiest(40, timedelta(minutes=20)) == 3  # +20, +30, +40
        assert busiest(180, timedelta(hours=1)) == 1
