"""Avenue 3: no reply is published without its quorum, the text sent is the approved text byte for byte,
a platform error leaves it unpublished and recorded, a retry publishes it once, and drills never publish.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from cellule.commands.common import hint_for
from flows.reviews import ReviewError, abandon_avenue
from flows.reviews.connectors import GoogleBusinessProfileConnector, ManualConnector, TrustpilotConnector
from models import Approval, AvenueStatus, Draft, DraftStatus, transaction
from tests.reviews.fakes import FakePlatform
from tests.reviews.scenario import T0, Hotel, hotel_with_fake_review

HOUR = timedelta(hours=1)
REPLY = (
    "Bonjour Marc Fontaine,\n\n"
    "Aucune réservation à ce nom dans nos registres — écrivez-nous : « contact@hoteldeslilas.example ».\n\n"
    "L'équipe de l'Hôtel des Lilas ✨"
)


def approved_reply(hotel: Hotel, text: str = REPLY) -> int:
    """The reply drafted by Claire, reworded to `text`, approved by Sophie (comms lead) and Anne (legal)."""
    draft = hotel.draft_reply()
    hotel.cell.edit(draft.id, "claire.morel", text)
    hotel.cell.approve(draft.id, "sophie.marchand", version=2)
    hotel.cell.approve(draft.id, "anne.roux", version=2)
    return draft.id


def test_the_reply_is_a_review_reply_draft_put_to_the_quorum(hotel: Hotel) -> None:
    draft = hotel.draft_reply(tone="empathetic", locale="en")
    assert (draft.kind.value, draft.locale, draft.status) == (
        "review_reply",
        "en",
        DraftStatus.AWAITING_APPROVAL,
    )
    assert draft.text.startswith("Hello Marc Fontaine,\n\nWe are truly sorry to read your review")
    reply = hotel.avenues().reply
    assert (reply.draft_id, reply.status) == (draft.id, AvenueStatus.WAITING)
    asked = {n.address for n in hotel.outbox("approval_request")}
    assert asked == {"sophie.marchand", "emma.walsh", "anne.roux"}


def test_a_reply_is_drafted_once_then_edited(hotel: Hotel) -> None:
    draft = hotel.draft_reply()
    with pytest.raises(ReviewError, match=r"already drafted as D1 \(awaiting_approval\)") as refused:
        hotel.draft_reply(tone="empathetic")
    assert "cellule edit <REF> D1" in (hint_for(refused.value) or "")  # the CLI names the command
    hotel.cell.reject(draft.id, "anne.roux", "Trop sec.")
    fresh = hotel.draft_reply(tone="empathetic")  # a rejected draft may be replaced by a fresh one
    assert fresh.label == "D2" and hotel.avenues().reply.draft_id == fresh.id


def refused(hotel: Hotel, connector, reason: str) -> None:  # type: ignore[no-untyped-def]
    """Publishing is refused with `reason`, and the store is left exactly as it was."""
    before = hotel.snapshot()
    with pytest.raises(ReviewError, match=reason):
        hotel.publish(connector, at=T0 + HOUR)
    assert hotel.snapshot() == before


def test_no_reply_is_published_without_its_quorum(
    hotel: Hotel, fake_google: FakePlatform, google_connector
) -> None:  # type: ignore[no-untyped-def]
    manual = ManualConnector(url="https://maps.google.com/x")
    refused(hotel, manual, "No reply is drafted yet")
    draft = hotel.draft_reply()
    refused(hotel, google_connector, r"D1 \(version 1\) is awaiting_approval: no reply leaves without")
    hotel.cell.approve(draft.id, "sophie.marchand")  # one of the two approvals needed
    refused(hotel, manual, "1 more approval needed")
    hotel.cell.reject(draft.id, "anne.roux", "Ne qualifiez pas les faits.")
    refused(hotel, google_connector, "is rejected")
    assert fake_google.calls == []
    assert hotel.avenues().reply.attempts == 0


def test_the_published_text_is_byte_identical_to_the_approved_one(
    hotel: Hotel, fake_google: FakePlatform, google_connector
) -> None:  # type: ignore[no-untyped-def]
    approved_reply(hotel)
    outcome = hotel.publish(google_connector, at=T0 + HOUR)
    assert outcome.published
    [sent] = fake_google.calls
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    approvals = [a for a in hotel.cell.approvals() if a.version == 2]
    assert len(approvals) == 2
    for approval in approvals:
        assert sent.json["comment"].encode("utf-8") == approval.text.encode("utf-8") == REPLY.encode("utf-8")
    # On the wire as UTF-8, not \u-escaped (only the line breaks are escaped, as JSON requires).
    assert all(line.encode("utf-8") in sent.body for line in REPLY.splitlines())
    assert hotel.avenues().reply.published_text_sha256 == hashlib.sha256(REPLY.encode("utf-8")).hexdigest()


def test_words_changed_behind_the_quorum_s_back_are_never_published(
    hotel: Hotel, fake_google: FakePlatform, google_connector
) -> None:  # type: ignore[no-untyped-def]
    draft_id = approved_reply(hotel)
    with transaction(hotel.sessions) as session:  # someone rewrites the row without going through an edit
        session.execute(
            update(Draft).where(Draft.id == draft_id).values(text=REPLY.replace("Bonjour", "Salut"))
        )
    before = hotel.snapshot()
    with pytest.raises(ReviewError, match="not the text the cell approved"):
        hotel.publish(google_connector, at=T0 + HOUR)
    assert hotel.snapshot() == before and fake_google.calls == []


def test_an_approval_given_to_other_words_does_not_count(hotel: Hotel, google_connector) -> None:  # type: ignore[no-untyped-def]
    draft_id = approved_reply(hotel)
    with transaction(hotel.sessions) as session:
        session.execute(update(Approval).where(Approval.draft_id == draft_id).values(text_sha256="0" * 64))
    with pytest.raises(ReviewError, match="not the text the cell approved"):
        hotel.publish(google_connector, at=T0 + HOUR)


def test_an_edit_after_approval_needs_the_quorum_again(hotel: Hotel, google_connector) -> None:  # type: ignore[no-untyped-def]
    draft_id = approved_reply(hotel)
    hotel.cell.edit(draft_id, "claire.morel", REPLY + "\n\nMerci.")
    with pytest.raises(ReviewError, match=r"D1 \(version 3\) is awaiting_approval"):
        hotel.publish(google_connector, at=T0 + HOUR)


def test_a_platform_error_leaves_the_reply_unpublished_and_a_retry_publishes_it_once(
    hotel: Hotel, fake_google: FakePlatform, google_connector
) -> None:  # type: ignore[no-untyped-def]
    draft_id = approved_reply(hotel)
    fake_google.fail_next(401)  # wrong credentials, say: trying again as is would not help
    fake_google.fail_next(500, "<html>Internal error</html>")
    first = hotel.publish(google_connector, at=T0 + HOUR)
    second = hotel.publish(google_connector, at=T0 + 2 * HOUR)
    assert (first.published, first.retryable, second.published, second.retryable) == (
        False,
        False,
        False,
        True,
    )
    reply = hotel.avenues().reply
    assert (reply.status, reply.published_at, reply.attempts, reply.connector) == (
        AvenueStatus.WAITING,
        None,
        2,
        "google",
    )
    assert (
        reply.last_error is not None
        and "500 Internal Server Error: <html>Internal error</html>" in reply.last_error
    )
    assert hotel.cell.draft(draft_id).status == DraftStatus.APPROVED
    assert [e.new["attempts"] for e in hotel.timeline("reply_publish_failed") if e.new] == [1, 2]

    third = hotel.publish(google_connector, at=T0 + 3 * HOUR)
    assert third.published
    for _ in range(2):
        with pytest.raises(ReviewError, match="never sent again"):
            hotel.publish(google_connector, at=T0 + 4 * HOUR)
    assert len(fake_google.calls) == 3
    reply = hotel.avenues().reply
    assert (reply.attempts, reply.last_error, reply.published_at) == (3, None, T0 + 3 * HOUR)
    assert len(hotel.timeline("reply_published")) == 1


def test_the_manual_connector_records_who_posted_it_where_and_when(hotel: Hotel) -> None:
    approved_reply(hotel)
    url = "https://www.google.com/maps/reviews/reply-by-owner"
    outcome = hotel.publish(ManualConnector(url=url), by="thomas.girard", at=T0 + HOUR)
    reply = outcome.reply
    assert (reply.connector, reply.published_url, reply.published_by, reply.published_at) == (
        "manual",
        url,
        "thomas.girard",
        T0 + HOUR,
    )
    with pytest.raises(ReviewError, match="--url https://"):
        ManualConnector(url="javascript:alert(1)")


def test_a_connector_publishes_only_on_its_own_platform(
    hotel: Hotel, trustpilot_connector: TrustpilotConnector
) -> None:
    approved_reply(hotel)
    with pytest.raises(ReviewError, match="The trustpilot connector publishes on trustpilot, not on google"):
        hotel.publish(trustpilot_connector, at=T0 + HOUR)


def test_only_a_member_of_the_cell_publishes(hotel: Hotel) -> None:
    approved_reply(hotel)
    with pytest.raises(ReviewError, match="Lucas Perrin is not in the crisis cell"):
        hotel.publish(ManualConnector(url="https://maps.google.com/r"), by="lucas.perrin", at=T0 + HOUR)


def test_an_abandoned_reply_is_withdrawn_and_never_published(hotel: Hotel) -> None:
    draft = hotel.draft_reply()
    hotel.act(
        lambda s, c: abandon_avenue(s, case=c, avenue="reply", reason="L'avis a été retiré.", at=T0 + HOUR)
    )
    assert hotel.cell.draft(draft.id).status == DraftStatus.WITHDRAWN
    with pytest.raises(ReviewError, match="abandoned"):
        hotel.publish(ManualConnector(url="https://maps.google.com/r"), at=T0 + 2 * HOUR)


def test_a_drill_never_publishes_a_reply(
    sessions: sessionmaker[Session],
    fake_google: FakePlatform,
    google_connector: GoogleBusinessProfileConnector,
) -> None:
    drill = hotel_with_fake_review(sessions, is_drill=True)
    assert drill.cell.incident().ref == "EXE-2026-0001"
    approved_reply(drill)
    before = drill.snapshot()
    for connector in (google_connector, ManualConnector(url="https://maps.google.com/r")):
        with pytest.raises(
            ReviewError, match="EXE-2026-0001 is a drill: drills never publish anything publicly"
        ):
            drill.publish(connector, at=T0 + HOUR)
    assert drill.snapshot() == before and fake_google.calls == []
