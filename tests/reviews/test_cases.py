"""Review cases open at intake, one per review, with evidence that nothing afterwards alters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.reviews import ReviewError, evidence_intact, open_review_case, update_review_text
from flows.runtime import SimulatedClock
from models import AvenueStatus, Incident, Signal, transaction
from tests.reviews.scenario import FAKE_REVIEW, GOOGLE_REVIEW_ID, T0, Hotel, hotel_with_fake_review
from tests.scenarios.hotel import load_hotel_kit


def test_a_rated_review_opens_a_case_with_its_three_avenues_not_started(hotel: Hotel) -> None:
    [case] = hotel.cases()
    assert case.incident_id == hotel.incident_id and case.signal_id is not None
    assert (case.url, case.anonymous, case.was_customer.value, case.outcome.value) == (
        f"https://maps.google.com/?cid=123&review={GOOGLE_REVIEW_ID}",
        False,
        "unknown",
        "pending",
    )
    assert (case.evidence_url, case.posted_at) == (case.url, T0 - timedelta(minutes=20))
    avenues = hotel.avenues()
    assert [avenues.report.status, avenues.legal.status, avenues.reply.status] == [
        AvenueStatus.NOT_STARTED
    ] * 3
    [opened] = hotel.timeline("review_case_opened")
    assert opened.summary.startswith(f"R1: google review {GOOGLE_REVIEW_ID} (1★)")
    assert opened.new is not None and opened.new["evidence_sha256"] == case.evidence_sha256


def test_the_same_review_reported_again_opens_no_second_case(hotel: Hotel) -> None:
    again = hotel.report(url="https://www.google.com/maps/reviews/other-link", text="(copied) " + FAKE_REVIEW)
    assert (again.new_signal, again.incident_id) == (False, hotel.incident_id)
    assert len(hotel.cases()) == 1
    assert len(hotel.timeline("review_case_opened")) == 1


def test_a_second_signal_about_the_same_review_finds_its_case(hotel: Hotel) -> None:
    # Another door may store the same review under another key: the case is per (platform, review id).
    with transaction(hotel.sessions) as session:
        first = session.scalars(select(Signal)).one()
        twin = Signal(
            **{
                c: getattr(first, c)
                for c in ("target_id", "source", "platform", "external_id", "text", "rating")
            },
            dedup_key="another-door-" + "0" * 51,
            observed_at=T0,
            received_at=T0 + timedelta(hours=1),
        )
        session.add(twin)
        session.flush()
        incident = session.get_one(Incident, hotel.incident_id)
        found = open_review_case(session, signal=twin, incident=incident, at=T0 + timedelta(hours=1))
        assert found is not None and found.signal_id == first.id
        assert found.evidence_captured_at == T0  # the first capture stands
    assert len(hotel.cases()) == 1


def test_another_review_of_the_same_place_is_a_second_case_of_the_incident(hotel: Hotel) -> None:
    hotel.report(external_id="second-review", author=None, text="Nul.", rating=2)
    first, second = hotel.cases()
    assert second.incident_id == first.incident_id
    assert (second.review_id, second.anonymous, second.author_display_name) == ("second-review", True, None)
    assert hotel.timeline("review_case_opened")[-1].summary.startswith("R2: ")


def test_a_post_without_a_star_rating_opens_no_case(sessions: sessionmaker[Session]) -> None:
    load_hotel_kit(sessions)
    hotel = Hotel(sessions, SimulatedClock(T0))
    outcome = hotel.report(
        platform="facebook", external_id="fb-1", rating=None, text="Rumeur : l'hôtel ferme."
    )
    hotel.incident_id = outcome.incident_id
    assert hotel.cases() == []


def test_a_review_without_an_id_is_known_by_its_signal(sessions: sessionmaker[Session]) -> None:
    hotel = hotel_with_fake_review(sessions)
    hotel.report(external_id=None, url=None, author="Lina", text="Horrible, tout est faux ici.", rating=1)
    second = hotel.cases()[-1]
    assert second.review_id.startswith("signal:") and len(second.review_id) == len("signal:") + 64


def test_editing_the_review_leaves_the_evidence_as_captured(hotel: Hotel) -> None:
    before = hotel.cases()[0]
    edited = hotel.act(
        lambda s, c: update_review_text(
            s,
            case=c,
            text="Bof. Pas terrible.",
            rating=2,
            edited_at=T0 + timedelta(days=2),
            at=T0 + timedelta(days=2),
        )
    )
    assert (edited.text, edited.star_rating, edited.edited_at) == (
        "Bof. Pas terrible.",
        2,
        T0 + timedelta(days=2),
    )
    [after] = hotel.cases()
    assert (after.evidence_text, after.evidence_sha256, after.evidence_captured_at, after.evidence_url) == (
        before.evidence_text,
        before.evidence_sha256,
        before.evidence_captured_at,
        before.evidence_url,
    )
    assert evidence_intact(after)
    [event] = hotel.timeline("review_edited")
    assert event.old is not None and event.old["star_rating"] == 1


def test_evidence_whose_text_no_longer_matches_its_fingerprint_is_not_intact(hotel: Hotel) -> None:
    case = hotel.cases()[0]
    case.evidence_text += " (altered)"
    assert not evidence_intact(case)


def test_recording_the_same_text_again_is_refused_and_changes_nothing(hotel: Hotel) -> None:
    before = hotel.snapshot()
    with pytest.raises(ReviewError, match="reads the same"):
        hotel.act(lambda s, c: update_review_text(s, case=c, text=FAKE_REVIEW, edited_at=T0, at=T0))
    assert hotel.snapshot() == before
    assert hotel.timeline("review_edited") == []


def test_a_placeholder_is_not_taken_for_the_review_s_new_text(hotel: Hotel) -> None:
    before = hotel.snapshot()
    for placeholder in ("…", "...", " _ "):
        with pytest.raises(ReviewError, match="only a placeholder"):
            hotel.act(lambda s, c, p=placeholder: update_review_text(s, case=c, text=p, edited_at=T0, at=T0))
    assert hotel.snapshot() == before
    # A review of emoji alone is a real review: it is recorded.
    hotel.act(lambda s, c: update_review_text(s, case=c, text="👎👎👎", edited_at=T0, at=T0))


def test_cases_are_named_r1_or_by_the_platform_s_review_id(hotel: Hotel) -> None:
    by_label = hotel.act(lambda s, c: c.id, label="r1")
    by_id = hotel.act(lambda s, c: c.id, label=GOOGLE_REVIEW_ID)
    assert by_label == by_id
    with pytest.raises(ReviewError, match=r"CRI-2026-0001 has no review case 'R7' \(its cases: R1\)"):
        hotel.act(lambda s, c: c, label="R7")
