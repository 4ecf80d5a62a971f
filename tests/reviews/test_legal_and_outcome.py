"""Avenue 2 (legal), abandoning an avenue with a reason, and the case's outcome as reports read it.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from flows.reviews import ReviewError, abandon_avenue, case_outcome, incident_outcomes
from models import AvenueStatus, Incident, ReviewOutcome, transaction
from tests.reviews.scenario import T0, Hotel

DAY = timedelta(days=1)


def test_the_legal_avenue_opens_with_counsel_or_insurer_and_ends_with_an_outcome(hotel: Hotel) -> None:
    before = hotel.snapshot()
    with pytest.raises(ReviewError, match="Name who takes the case"):
        hotel.legal(at=T0, case_reference="PJ-1")
    assert hotel.snapshot() == before

    opened = hotel.legal(at=T0, insurer="Mutuelle PJ", case_reference="PJ-1", next_date=T0 + 4 * DAY)
    assert (opened.status, opened.opened_at, opened.next_date) == (AvenueStatus.IN_PROGRESS, T0, T0 + 4 * DAY)
    waiting = hotel.legal(
        at=T0 + DAY, counsel="Me Anne Roux", next_step="mise en demeure", status=AvenueStatus.WAITING
    )
    assert (waiting.counsel, waiting.insurer, waiting.status) == (
        "Me Anne Roux",
        "Mutuelle PJ",
        AvenueStatus.WAITING,
    )

    with pytest.raises(ReviewError, match="Say what came of it"):
        hotel.legal(at=T0 + 2 * DAY, status=AvenueStatus.SUCCEEDED)
    with pytest.raises(ReviewError, match="An outcome concludes the avenue"):
        hotel.legal(at=T0 + 2 * DAY, outcome="Retrait obtenu.")
    with pytest.raises(ReviewError, match="abandon it with a reason"):
        hotel.legal(at=T0 + 2 * DAY, status=AvenueStatus.ABANDONED)
    done = hotel.legal(at=T0 + 9 * DAY, status=AvenueStatus.SUCCEEDED, outcome="L'auteur a retiré son avis.")
    assert (done.status, done.concluded_at, done.outcome) == (
        AvenueStatus.SUCCEEDED,
        T0 + 9 * DAY,
        done.outcome,
    )
    with pytest.raises(ReviewError, match="is succeeded already"):
        hotel.legal(at=T0 + 10 * DAY, next_step="rien")
    summaries = [e.summary for e in hotel.timeline("legal")]
    assert summaries == [
        "R1: legal avenue opened with Mutuelle PJ, reference PJ-1",
        "R1: legal avenue updated (counsel, next_step, status)",
        "R1: legal avenue succeeded (Me Anne Roux): L'auteur a retiré son avis.",
    ]


def test_an_avenue_is_abandoned_with_a_reason_and_its_time_is_kept(hotel: Hotel) -> None:
    hotel.legal(at=T0, counsel="Me Anne Roux")
    with pytest.raises(ReviewError, match="Say why"):
        hotel.act(lambda s, c: abandon_avenue(s, case=c, avenue="legal", reason="  ", at=T0 + DAY))
    hotel.act(
        lambda s, c: abandon_avenue(
            s, case=c, avenue="legal", reason="Coût disproportionné.", at=T0 + 2 * DAY
        )
    )
    legal = hotel.avenues().legal
    assert (legal.status, legal.abandoned_reason) == (AvenueStatus.ABANDONED, "Coût disproportionné.")
    facts = hotel.act(lambda s, c: case_outcome(s, c))
    assert (facts.legal.status, facts.legal.took) == (AvenueStatus.ABANDONED, 2 * DAY)
    with pytest.raises(ReviewError, match="is abandoned already"):
        hotel.act(lambda s, c: abandon_avenue(s, case=c, avenue="legal", reason="encore", at=T0 + 3 * DAY))
    with pytest.raises(ReviewError, match="one of report, legal, reply"):
        hotel.act(lambda s, c: abandon_avenue(s, case=c, avenue="press", reason="x", at=T0))


def test_the_outcome_records_the_rating_before_and_after(hotel: Hotel) -> None:
    case = hotel.outcome(ReviewOutcome.EDITED, at=T0 + 3 * DAY, rating_before=4.6, rating_after=4.7)
    assert (case.outcome, case.outcome_at, case.rating_before, case.rating_after) == (
        ReviewOutcome.EDITED,
        T0 + 3 * DAY,
        4.6,
        4.7,
    )
    with pytest.raises(ReviewError, match="already recorded"):
        hotel.outcome(ReviewOutcome.EDITED, at=T0 + 4 * DAY)
    with pytest.raises(ReviewError, match="between 0 and 5"):
        hotel.outcome(ReviewOutcome.KEPT, at=T0 + 4 * DAY, rating_after=7.0)
    [event] = hotel.timeline("review_outcome")
    assert event.summary == "R1: the review is edited; rating 4.6 → 4.7"


def test_outcomes_of_every_case_of_an_incident_are_queryable_for_reports(hotel: Hotel) -> None:
    hotel.report(external_id="second-review", text="Une honte.", rating=1, author="Anonyme")
    hotel.outcome(ReviewOutcome.REMOVED, at=T0 + DAY)
    with transaction(hotel.sessions) as session:
        facts = incident_outcomes(session, incident=session.get_one(Incident, hotel.incident_id))
    assert [(f.label, f.outcome.value, f.reply_published, f.report.took) for f in facts] == [
        ("R1", "removed", False, None),
        ("R2", "pending", False, None),
    ]
