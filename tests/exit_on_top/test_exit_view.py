"""`cellule show` for the exit phase: drafts with who approved which version and where each went out,
commitments (late ones stand out), and each review's three avenues — outside text shown as written."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.console import Console

from cellule.commands import exit_view
from models import AvenueStatus, Incident, LegalAction, PlatformReport, ReviewCase, transaction
from tests.exit_on_top.scenario import T0

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def wide_console(monkeypatch) -> Console:
    """A wide console of the test's own, so tables do not wrap what we look for."""
    wide = Console(width=220, highlight=False)
    monkeypatch.setattr(exit_view, "console", wide)
    return wide


def shown(cell, now) -> str:
    with transaction(cell.sessions) as session:
        incident = session.get_one(Incident, cell.incident_id)
        view = exit_view.read_exit_view(session, incident=incident, now=now)
    with exit_view.console.capture() as captured:
        exit_view.print_exit_view(incident, view, PARIS)
    return captured.get()


def test_nothing_yet_takes_one_line_each(cell):
    text = shown(cell, T0)
    assert "Exit on top: no branch chosen yet" in text
    assert "Drafts: none yet." in text and "Commitments: none yet." in text
    assert "Review avenues" not in text  # no review case: no section


def test_drafts_approvals_publications_and_commitments(cell):
    cell.apologise_in_public()  # D1 the apology, approved by Sophie and Anne, published
    cell.commit("Répondre à chaque avis sous 48 heures", due=timedelta(days=10))
    cell.keep("C2", proof="https://hoteldeslilas.example/engagements")

    text = shown(cell, T0 + timedelta(days=31))  # C1 was due on day 30
    assert "Exit on top: not handled" in text
    assert "D1" in text and "apology" in text and "published" in text
    assert "✓ Sophie Marchand · comms_lead · v1" in text and "✓ Me Anne Roux · legal · v1" in text
    assert "Google · 2026-11-26 12:00 · Claire Morel" in text  # posted 11:00 UTC, shown in Paris time
    assert "https://g.page/hotel-des-lilas/review/1" in text
    assert (
        "C1" in text
        and "late" in text
        and "C2" in text
        and "https://hoteldeslilas.example/engagements" in text
    )


def test_a_voided_approval_is_shown_as_voided(cell):
    [draft_id] = cell.propose(by="claire.morel")
    cell.approve(draft_id, "anne.roux")
    cell.edit(draft_id, "Bonjour, nous vérifions les faits et revenons vers vous.")
    assert "✓ Me Anne Roux · legal · v1 (voided)" in shown(cell, T0)


def test_a_drill_publication_is_shown_as_simulated(drill):
    [draft_id] = drill.propose(by="claire.morel")
    drill.approve(draft_id, "sophie.marchand", "anne.roux")
    drill.publish(draft_id, url=None)
    text = shown(drill, T0 + timedelta(hours=1))
    assert "simulated (drill)" in text and "Google ·" not in text


def test_review_avenues_with_outside_text_shown_as_written(cell):
    with transaction(cell.sessions) as session:
        case = ReviewCase(
            incident_id=cell.incident_id,
            platform="trustpilot",
            review_id="tp-9",
            author_display_name="[bold red]Voyageur[/] <!channel>",
            star_rating=1,
            text="Avis",
            evidence_text="Avis",
            evidence_sha256="0" * 64,
            evidence_captured_at=T0,
            opened_at=T0,
        )
        session.add(case)
        session.flush()
        session.add(PlatformReport(case_id=case.id, status=AvenueStatus.WAITING, reason="not_genuine"))
        session.add(
            LegalAction(
                case_id=case.id, status=AvenueStatus.ABANDONED, abandoned_reason="Coût disproportionné"
            )
        )
    text = shown(cell, T0)
    assert "Review avenues" in text and "R1 · trustpilot tp-9" in text
    assert "[bold red]Voyageur[/] <!channel>" in text  # markup kept as text, never interpreted
    assert "waiting" in text and "not_genuine" in text
    assert "abandoned" in text and "Coût disproportionné" in text
    assert "not started" in text  # the public reply has no row yet
