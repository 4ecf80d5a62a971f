"""Publishing a statement: only the words the quorum approved, recorded with where, when and who.

There is no posting API: a person posts, then records it. A drill never posts: its publication is
simulated, and says so.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cellule.commands.common import hint_for
from flows.exit_on_top.branches import ExitError
from flows.quorum import propose_draft
from models import DraftKind, DraftStatus, Incident, Person, transaction
from tests.exit_on_top.scenario import T0

POSTED = T0 + timedelta(minutes=40)


def approved_holding(cell) -> int:
    [draft_id] = cell.propose(by="claire.morel")
    cell.approve(draft_id, "sophie.marchand", "anne.roux", at=T0 + timedelta(minutes=20))
    return draft_id


def test_an_unapproved_holding_statement_cannot_be_published(cell):
    [draft_id] = cell.propose(by="claire.morel")
    before = cell.snapshot()
    with pytest.raises(ExitError, match="D1 is awaiting_approval: only a text the quorum approved"):
        cell.publish(draft_id)
    assert cell.snapshot() == before

    cell.approve(draft_id, "sophie.marchand")  # one approval of the two the policy needs
    with pytest.raises(ExitError, match="awaiting_approval"):
        cell.publish(draft_id)
    assert cell.incident().first_statement_at is None and cell.draft(draft_id).status == "awaiting_approval"


def test_the_approved_holding_statement_once_published_stamps_the_first_statement(cell):
    draft_id = approved_holding(cell)
    publication = cell.publish(draft_id, at=POSTED)

    incident = cell.incident()
    assert incident.first_statement_at == POSTED and incident.published_at == POSTED
    assert cell.draft(draft_id).status == DraftStatus.PUBLISHED
    assert not publication.simulated and publication.where == "Google"
    [event] = cell.timeline("statement_published")
    assert event.summary == (
        "Claire Morel published D1 (holding_statement, fr) on Google: https://g.page/hotel-des-lilas/review/1"
    )
    assert event.actor == "claire.morel"
    assert event.new["text_sha256"] == cell.draft(draft_id).text_sha256 and event.new["simulated"] is False
    assert [e.summary for e in cell.timeline("milestone")][-2:] == ["first_statement_at", "published_at"]


def test_a_later_statement_moves_neither_milestone(cell):
    approved = approved_holding(cell)
    cell.publish(approved, at=POSTED)
    cell.commit()
    [apology] = cell.propose(DraftKind.APOLOGY, by="claire.morel")
    cell.approve(apology, "sophie.marchand", "anne.roux")
    cell.publish(apology, at=T0 + timedelta(hours=3))
    incident = cell.incident()
    assert incident.first_statement_at == POSTED and incident.published_at == POSTED


def test_a_statement_is_published_once(cell):
    draft_id = approved_holding(cell)
    cell.publish(draft_id)
    before = cell.snapshot()
    with pytest.raises(ExitError, match="already published"):
        cell.publish(draft_id, where="Instagram")
    assert cell.snapshot() == before


def test_a_text_with_parts_left_to_write_is_not_published_until_written_and_approved_again(cell):
    [statement] = cell.propose(DraftKind.STATEMENT, by="claire.morel")
    cell.approve(statement, "sophie.marchand", "anne.roux")
    with pytest.raises(ExitError, match=r"still has parts to write \(between \[\[ \]\]\)"):
        cell.publish(statement)

    written = (
        "Bonjour, notre charte d'accueil est publique depuis 2024 : https://hoteldeslilas.example/charte. "
        "Chaque réclamation reçoit une réponse sous 48 heures."
    )
    cell.edit(statement, written)
    with pytest.raises(ExitError, match="awaiting_approval"):
        cell.publish(statement)  # an edit voids the approvals: the new words are approved anew
    cell.approve(statement, "sophie.marchand", "anne.roux")
    assert cell.publish(statement).label == "D1"


def test_the_text_posted_must_be_the_approved_one(cell):
    draft_id = approved_holding(cell)
    approved = cell.draft(draft_id).text
    with pytest.raises(ExitError, match="differs from the approved D1"):
        cell.publish(draft_id, posted_text=approved.replace("très vite", "bientôt"))
    assert cell.draft(draft_id).status == DraftStatus.APPROVED
    cell.publish(draft_id, posted_text="\ufeff" + approved + "\n")  # an editor's BOM and final newline


def test_posting_before_the_approval_is_refused(cell):
    draft_id = approved_holding(cell)
    with pytest.raises(ExitError, match="before it was approved"):
        cell.publish(draft_id, at=T0 + timedelta(minutes=5))


def test_only_a_member_of_the_cell_records_a_publication(cell):
    draft_id = approved_holding(cell)
    with pytest.raises(ExitError, match="Lucas Perrin is not in the crisis cell"):
        cell.publish(draft_id, by="lucas.perrin")


def test_a_review_reply_is_published_through_its_review_avenue(cell):
    with transaction(cell.sessions) as session:
        reply = propose_draft(
            session,
            incident=session.get_one(Incident, cell.incident_id),
            author=cell.person(session, "claire.morel"),
            kind=DraftKind.REVIEW_REPLY,
            text="Bonjour, nous ne retrouvons aucun séjour à votre nom.",
            locale="fr",
            at=T0,
            available={"console"},
        )
        reply_id = reply.id
    cell.approve(reply_id, "sophie.marchand", "anne.roux")
    with pytest.raises(ExitError, match="replies to a review") as refused:
        cell.publish(reply_id)
    assert "cellule review reply" in (hint_for(refused.value) or "")  # the CLI names the command


def test_a_drill_never_publishes_anything_publicly(drill):
    draft_id = approved_holding(drill)
    assert drill.draft(draft_id).text.startswith("EXERCICE —")
    before = drill.snapshot()
    with pytest.raises(ExitError, match="is a drill: nothing is posted publicly"):
        drill.publish(draft_id, url="https://g.page/hotel-des-lilas/review/1")
    assert drill.snapshot() == before

    publication = drill.publish(draft_id, url=None, at=POSTED)
    assert publication.simulated and publication.url is None
    [event] = drill.timeline("statement_published")
    assert event.summary.startswith("EXERCICE / DRILL — ") and "simulated, not posted" in event.summary
    assert event.new["simulated"] is True and event.new["url"] is None
    assert drill.incident().first_statement_at == POSTED  # the drill is scored on it all the same


def test_the_publisher_must_be_active_in_the_kit(cell):
    draft_id = approved_holding(cell)
    with transaction(cell.sessions) as session:
        session.query(Person).filter(Person.key == "claire.morel").update({"active": False})
    with pytest.raises(ExitError, match="not in the crisis cell"):
        cell.publish(draft_id)
