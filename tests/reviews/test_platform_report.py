"""Avenue 1: the report to the platform — its own reasons, Trustpilot's 3-day wait, the decision, and the
reminders when the decision is late. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.exit_on_top.flow import chase_platform_decisions
from flows.kit.loading import require_kit
from flows.reviews import (
    CONTACT_WAIT,
    ReviewError,
    reasons_for,
    record_decision,
    record_reviewer_contacted,
    remind_overdue_platform_decisions,
    report_review,
)
from flows.runtime import use_runtime
from models import Incident, ReviewOutcome, transaction
from notifications import render_message
from tests.reviews.scenario import T0, Hotel

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
TRUSTPILOT_ID = "6751c0ffee1234567890abcd"
CELL = ["anne.roux", "claire.morel", "emma.walsh", "sophie.marchand", "thomas.girard"]  # not henri: declined


@pytest.fixture
def trustpilot(hotel: Hotel) -> Hotel:
    """A second review, on Trustpilot, of the same incident: case R2."""
    hotel.report(
        platform="trustpilot",
        external_id=TRUSTPILOT_ID,
        url=f"https://fr.trustpilot.com/reviews/{TRUSTPILOT_ID}",
        author="M. F.",
        text="Arnaque totale, je n'y remettrai jamais les pieds.",
    )
    return hotel


def report_r2(hotel: Hotel, reason: str, at, **kwargs):  # type: ignore[no-untyped-def]
    return hotel.act(lambda s, c: report_review(s, case=c, reason=reason, at=at, **kwargs), label="R2")


def test_each_platform_has_its_own_reasons() -> None:
    google = [r.code for r in reasons_for("google")]
    trustpilot = [r.code for r in reasons_for("trustpilot")]
    assert "spam" in google and "conflict_of_interest" in google
    assert trustpilot == [
        "harmful_or_illegal",
        "personal_information",
        "advertising_or_promotional",
        "not_based_on_genuine_experience",
        "about_a_different_business",
    ]
    assert [r.code for r in reasons_for("trustpilot") if r.contact_first] == [
        "personal_information",
        "not_based_on_genuine_experience",
        "about_a_different_business",
    ]


def test_a_reason_the_platform_does_not_have_is_refused_with_its_list(hotel: Hotel) -> None:
    before = hotel.snapshot()
    with pytest.raises(
        ReviewError, match=r"Google has no reason 'harmful_or_illegal'\. Its reasons: off_topic, spam"
    ):
        hotel.report_to_platform("harmful_or_illegal", at=T0)
    assert hotel.snapshot() == before


def test_trustpilot_report_is_blocked_until_3_days_after_the_reviewer_was_contacted(
    trustpilot: Hotel,
) -> None:
    hotel = trustpilot
    before = hotel.snapshot()
    with pytest.raises(
        ReviewError, match="contact the reviewer before reporting as not_based_on_genuine_experience"
    ):
        report_r2(hotel, "not_based_on_genuine_experience", T0)
    assert hotel.snapshot() == before

    contacted = T0 + HOUR
    hotel.act(
        lambda s, c: record_reviewer_contacted(s, case=c, contacted_at=contacted, at=contacted),
        label="R2",
    )
    waiting = hotel.snapshot()
    with pytest.raises(ReviewError, match=r"becomes possible on 2026-11-29 10:00 UTC"):
        report_r2(hotel, "not_based_on_genuine_experience", contacted + CONTACT_WAIT - timedelta(minutes=1))
    assert hotel.snapshot() == waiting

    report = report_r2(
        hotel, "not_based_on_genuine_experience", contacted + CONTACT_WAIT, platform_reference="TP-1"
    )
    assert (report.reason, report.precondition_met_at, report.reported_at) == (
        "not_based_on_genuine_experience",
        contacted,
        contacted + CONTACT_WAIT,
    )


def test_the_contact_may_be_given_with_the_report(trustpilot: Hotel) -> None:
    with pytest.raises(ReviewError, match="becomes possible on"):
        report_r2(trustpilot, "about_a_different_business", T0 + DAY, precondition_met_at=T0)
    report = report_r2(trustpilot, "about_a_different_business", T0 + 3 * DAY, precondition_met_at=T0)
    assert report.precondition_met_at == T0


def test_harmful_or_illegal_needs_no_contact_first(trustpilot: Hotel) -> None:
    report = report_r2(trustpilot, "harmful_or_illegal", T0, decision_within=timedelta(days=3))
    assert (report.reason, report.decision_due_at) == ("harmful_or_illegal", T0 + 3 * DAY)


def test_a_review_is_reported_once(hotel: Hotel) -> None:
    hotel.report_to_platform("spam", at=T0)
    with pytest.raises(ReviewError, match="already reported to the platform on 2026-11-26 09:00 UTC"):
        hotel.report_to_platform("off_topic", at=T0 + HOUR)


def test_a_decision_needs_a_report_and_a_date_between_it_and_now(hotel: Hotel) -> None:
    with pytest.raises(ReviewError, match="not reported to the platform yet"):
        hotel.decision("removed", at=T0)
    hotel.report_to_platform("spam", at=T0 + HOUR)
    with pytest.raises(ReviewError, match="between the report and now"):
        hotel.act(lambda s, c: record_decision(s, case=c, decision="removed", decided_at=T0, at=T0 + DAY))
    with pytest.raises(ReviewError, match="removed or kept"):
        hotel.decision("deleted", at=T0 + DAY)


def test_a_removal_by_the_platform_is_the_review_s_outcome(hotel: Hotel) -> None:
    hotel.report_to_platform("spam", at=T0)
    hotel.decision("removed", at=T0 + 2 * DAY)
    case = hotel.case()
    assert (case.outcome, case.outcome_at) == (ReviewOutcome.REMOVED, T0 + 2 * DAY)
    assert hotel.avenues().report.status.value == "succeeded"


def remind(hotel: Hotel, now):  # type: ignore[no-untyped-def]
    with transaction(hotel.sessions) as session:
        incident = session.get_one(Incident, hotel.incident_id)
        playbook = require_kit(session).playbook_for(incident.attack_type)
        return remind_overdue_platform_decisions(
            session, incident=incident, playbook=playbook, available={"console"}, now=now
        )


def reminded(hotel: Hotel) -> list[tuple[str, str]]:
    """(reminder number, person key) of every overdue-decision message queued."""
    return [(n.key.split("/")[2], n.address) for n in hotel.outbox("review_decision_overdue")]


def test_a_late_decision_reminds_the_cell_at_the_playbook_s_cadence_capped(hotel: Hotel) -> None:
    # The hotel's playbook: reminders every 15 minutes, at most 3.
    hotel.report_to_platform("spam", at=T0)
    due = T0 + 7 * DAY
    assert remind(hotel, due - timedelta(minutes=1)) == due
    assert reminded(hotel) == []

    assert remind(hotel, due) == due + timedelta(minutes=15)
    assert sorted(reminded(hotel)) == [("decision-overdue:1", key) for key in CELL]
    assert remind(hotel, due + timedelta(minutes=5)) == due + timedelta(minutes=15)  # not yet the next
    remind(hotel, due + timedelta(minutes=15))
    assert remind(hotel, due + timedelta(minutes=30)) is None  # the third and last
    assert remind(hotel, due + 5 * DAY) is None
    assert len(reminded(hotel)) == 3 * len(CELL)
    assert hotel.avenues().report.reminders_sent == 3
    assert [e.summary for e in hotel.timeline("reminder")][-1] == (
        "R1: google's decision is overdue; 5 reminded (3/3)"
    )


def test_the_incident_s_lead_alone_is_reminded_once_there_is_one(hotel: Hotel) -> None:
    with transaction(hotel.sessions) as session:
        incident = session.get_one(Incident, hotel.incident_id)
        incident.lead_id = hotel.person(session, "sophie.marchand").id
    hotel.report_to_platform("spam", at=T0)
    remind(hotel, T0 + 8 * DAY)
    assert reminded(hotel) == [("decision-overdue:1", "sophie.marchand")]


def test_the_reminder_says_what_to_check_and_how_to_record_it(hotel: Hotel) -> None:
    hotel.report_to_platform("spam", at=T0, platform_reference="GBP-77120")
    remind(hotel, T0 + 8 * DAY)
    with transaction(hotel.sessions) as session:
        claire = hotel.person(session, "claire.morel")
        emma = hotel.person(session, "emma.walsh")
        people = {p.id: p for p in (claire, emma)}
    rows = {n.person_id: n for n in hotel.outbox("review_decision_overdue") if n.person_id in people}
    french = render_message("review_decision_overdue", "fr", rows[claire.id].context)
    assert french.subject == "CRI-2026-0001 · R1 : Google n'a pas encore rendu sa décision"
    assert "signalé à Google le 26/11/2026 à 10:00 (Europe/Paris) (motif : spam)" in french.text
    assert "cellule review decision CRI-2026-0001 R1 --removed" in french.text
    assert "(référence GBP-77120)" in french.text
    english = render_message("review_decision_overdue", "en", rows[emma.id].context)
    assert english.subject == "CRI-2026-0001 · R1: Google has not decided yet"
    assert "reminder 1/3" in english.text


def test_a_decided_report_is_not_chased(hotel: Hotel) -> None:
    hotel.report_to_platform("spam", at=T0)
    hotel.decision("kept", at=T0 + 2 * DAY)
    assert remind(hotel, T0 + 30 * DAY) is None
    assert reminded(hotel) == []


def test_each_pass_of_exit_on_top_chases_a_late_decision(hotel: Hotel) -> None:
    hotel.report_to_platform("spam", at=T0)
    hotel.clock.advance_to(T0 + 7 * DAY)
    with use_runtime(hotel.runtime):
        next_deadline = chase_platform_decisions.fn(hotel.incident_id)
    assert len(reminded(hotel)) == len(CELL)
    assert next_deadline is not None
    assert next_deadline <= T0 + 7 * DAY + timedelta(minutes=15)
