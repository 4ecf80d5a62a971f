"""The acceptance walk: a fake one-star review of the Hôtel des Lilas, followed through all three avenues —
reported to Google, handed to counsel, answered publicly — to an outcome. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from flows.kit.loading import require_kit
from flows.reviews import ReviewError, case_outcome, remind_overdue_platform_decisions
from flows.reviews.connectors import GoogleBusinessProfileConnector
from models import Approval, AvenueStatus, DraftStatus, Incident, ReviewOutcome, transaction
from tests.reviews.fakes import GOOGLE_ACCOUNT, GOOGLE_LOCATION, GOOGLE_TOKEN, FakePlatform
from tests.reviews.scenario import FAKE_REVIEW, GOOGLE_REVIEW_ID, T0, Hotel

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
REWORDED = (
    "Bonjour Marc Fontaine,\n\n"
    "Nous avons vérifié nos registres : aucune réservation ni aucun séjour ne correspond à votre avis. "
    "Si vous avez séjourné chez nous, écrivez-nous avec votre numéro de réservation — nous regarderons "
    "votre situation avec attention.\n\n"
    "L'équipe de l'Hôtel des Lilas 🌿"
)


def remind(hotel: Hotel, now):  # type: ignore[no-untyped-def]
    with transaction(hotel.sessions) as session:
        incident = session.get_one(Incident, hotel.incident_id)
        playbook = require_kit(session).playbook_for(incident.attack_type)
        return remind_overdue_platform_decisions(
            session, incident=incident, playbook=playbook, available={"console"}, now=now
        )


def test_the_fake_review_is_walked_through_all_three_avenues_to_an_outcome(
    hotel: Hotel, fake_google: FakePlatform, google_connector: GoogleBusinessProfileConnector
) -> None:
    # Intake opened case R1 with the review as Google shows it, and froze the evidence.
    [case] = hotel.cases()
    assert (case.platform, case.review_id, case.star_rating, case.author_display_name) == (
        "google",
        GOOGLE_REVIEW_ID,
        1,
        "Marc Fontaine",
    )
    assert case.evidence_text == FAKE_REVIEW
    assert case.evidence_sha256 == hashlib.sha256(FAKE_REVIEW.encode("utf-8")).hexdigest()
    assert case.evidence_captured_at == T0

    # Avenue 1 — the platform: reported as spam (a fake account), a decision expected within 7 days.
    report = hotel.report_to_platform("spam", at=T0 + HOUR, platform_reference="GBP-77120")
    assert report.status == AvenueStatus.WAITING
    assert report.decision_due_at == T0 + HOUR + 7 * DAY

    # Avenue 2 — legal: the legal-protection insurer hands it to counsel, who builds the evidence file.
    legal = hotel.legal(
        at=T0 + 2 * HOUR,
        insurer="Mutuelle Protection Juridique",
        counsel="Me Anne Roux",
        case_reference="PJ-2026-4411",
        next_date=T0 + 5 * DAY,
        next_step="constat d'huissier de l'avis en ligne",
    )
    assert (legal.status, legal.opened_at) == (AvenueStatus.IN_PROGRESS, T0 + 2 * HOUR)

    # Avenue 3 — the public reply: drafted from the template, sent back once, reworded, approved.
    hotel.clock.advance_to(T0 + 3 * HOUR)
    draft = hotel.draft_reply(tone="factual")
    assert draft.text.startswith("Bonjour Marc Fontaine,")
    hotel.cell.approve(draft.id, "sophie.marchand")
    hotel.cell.reject(
        draft.id, "anne.roux", "Ne qualifiez pas les faits : dites ce que montrent nos registres."
    )
    assert hotel.cell.draft(draft.id).status == DraftStatus.REJECTED
    hotel.cell.edit(draft.id, "claire.morel", REWORDED)
    hotel.cell.approve(draft.id, "sophie.marchand", version=2)
    hotel.cell.approve(draft.id, "anne.roux", version=2)
    assert hotel.cell.draft(draft.id).status == DraftStatus.APPROVED

    # Google fails once: the reply stays unpublished, the error recorded; the retry publishes it, once.
    fake_google.fail_next(503, "The service is currently unavailable.")
    failed = hotel.publish(google_connector, at=T0 + 4 * HOUR)
    assert (failed.published, failed.retryable) == (False, True)
    reply = hotel.avenues().reply
    assert (reply.published_at, reply.attempts, reply.status) == (None, 1, AvenueStatus.WAITING)
    assert reply.last_error is not None and "503" in reply.last_error

    published = hotel.publish(google_connector, at=T0 + 5 * HOUR)
    assert published.published
    with pytest.raises(ReviewError, match="never sent again"):
        hotel.publish(google_connector, at=T0 + 6 * HOUR)
    assert len(fake_google.calls) == 2  # the failed attempt and the one that went through; never a third

    sent = fake_google.calls[-1]
    assert sent.method == "PUT"
    assert sent.path == (
        f"/v4/accounts/{GOOGLE_ACCOUNT}/locations/{GOOGLE_LOCATION}/reviews/{GOOGLE_REVIEW_ID}/reply"
    )
    assert sent.headers["Authorization"] == f"Bearer {GOOGLE_TOKEN}"
    assert sent.json == {"comment": REWORDED}
    approvals = [a for a in hotel.cell.approvals() if a.version == 2]
    assert {a.person_id for a in approvals} and all(_same_bytes(sent.json["comment"], a) for a in approvals)
    reply = hotel.avenues().reply
    assert reply.status == AvenueStatus.SUCCEEDED
    assert (reply.attempts, reply.last_error, reply.published_by) == (2, None, "claire.morel")
    assert reply.published_text_sha256 == hashlib.sha256(REWORDED.encode("utf-8")).hexdigest()
    assert hotel.cell.draft(draft.id).status == DraftStatus.PUBLISHED
    assert hotel.cell.incident().published_at == T0 + 5 * HOUR

    # Google says nothing for a week: the late decision is chased, then decided — kept.
    assert remind(hotel, T0 + 8 * DAY) == T0 + HOUR + 7 * DAY + timedelta(minutes=15)
    assert {n.template for n in hotel.outbox("review_decision_overdue")} == {"review_decision_overdue"}
    decided = hotel.decision("kept", at=T0 + 9 * DAY, appeal_deadline=T0 + 39 * DAY)
    assert (decided.status, decided.decision) == (AvenueStatus.FAILED, "kept")
    assert remind(hotel, T0 + 10 * DAY) is None  # decided: nobody is chased any more

    # Counsel closes the file: no author to pursue, but the evidence is kept.
    hotel.legal(
        at=T0 + 20 * DAY,
        status=AvenueStatus.FAILED,
        outcome="Auteur non identifiable ; dossier de preuves conservé.",
    )

    # The review stays; the rating barely moved, and the reply is what readers see under it.
    hotel.outcome(ReviewOutcome.KEPT, at=T0 + 21 * DAY, rating_before=4.6, rating_after=4.5)
    facts = hotel.act(lambda session, case: case_outcome(session, case))
    assert facts.as_dict() == {
        "case": "R1",
        "platform": "google",
        "review_id": GOOGLE_REVIEW_ID,
        "outcome": "kept",
        "outcome_at": (T0 + 21 * DAY).isoformat(),
        "rating_before": 4.6,
        "rating_after": 4.5,
        "rating_change": -0.1,
        "reply_published": True,
        "reply_published_at": (T0 + 5 * HOUR).isoformat(),
        "avenues": {
            "report": _avenue("failed", T0 + HOUR, T0 + 9 * DAY),
            "legal": _avenue("failed", T0 + 2 * HOUR, T0 + 20 * DAY),
            "reply": _avenue("succeeded", T0 + 3 * HOUR, T0 + 5 * HOUR),
        },
    }

    # Through it all, the evidence is exactly what was captured.
    [after] = hotel.cases()
    assert (after.evidence_text, after.evidence_sha256, after.evidence_captured_at) == (
        case.evidence_text,
        case.evidence_sha256,
        case.evidence_captured_at,
    )


def _same_bytes(sent: str, approval: Approval) -> bool:
    return sent.encode("utf-8") == approval.text.encode("utf-8") and (
        hashlib.sha256(sent.encode("utf-8")).hexdigest() == approval.text_sha256
    )


def _avenue(status: str, started, ended) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "status": status,
        "started_at": started.isoformat(),
        "ended_at": ended.isoformat(),
        "took_seconds": (ended - started).total_seconds(),
    }
