"""Resolution on the playbook's exit criteria, with what the organisation gained.

Refused with the list of what is missing (store unchanged), then accepted once the criteria hold.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cellule.commands.common import hint_for
from flows.exit_on_top.branches import ExitBranch, ExitError
from flows.exit_on_top.resolution import ResolutionRefused
from models import (
    AvenueStatus,
    DraftKind,
    IncidentStatus,
    LegalAction,
    PlatformReport,
    PublicReply,
    ReviewCase,
    transaction,
)
from tests.exit_on_top.scenario import T0

BENEFIT = "Un accueil formé, et 40 avis positifs de clients qui ont salué la transparence."


def refusal(cell, benefit: str = BENEFIT) -> list[str]:
    before = cell.snapshot()
    with pytest.raises(ResolutionRefused) as refused:
        cell.resolve(benefit)
    assert cell.snapshot() == before  # nothing half-written
    return list(refused.value.missing)


def open_review_case(cell, **avenues: AvenueStatus | tuple[AvenueStatus, str]) -> int:
    """A review case of the incident with its avenue rows (report, legal, reply) in the given states."""
    with transaction(cell.sessions) as session:
        case = ReviewCase(
            incident_id=cell.incident_id,
            platform="google",
            review_id="g-42",
            author_display_name="Voyageur_74",
            star_rating=1,
            text="Chambre sale, personnel odieux.",
            evidence_text="Chambre sale, personnel odieux.",
            evidence_sha256="0" * 64,
            evidence_captured_at=T0,
            opened_at=T0,
        )
        session.add(case)
        session.flush()
        for name, model in (("report", PlatformReport), ("legal", LegalAction), ("reply", PublicReply)):
            if name in avenues:
                state = avenues[name]
                status, reason = state if isinstance(state, tuple) else (state, None)
                session.add(model(case_id=case.id, status=status, abandoned_reason=reason))
        return case.id


def test_nothing_done_yet_lists_every_criterion_that_does_not_hold(cell):
    assert refusal(cell, benefit="  ") == [
        "no exit branch is chosen",
        'what the organisation gained is not said (--benefit "…")',
    ]
    with pytest.raises(ResolutionRefused) as refused:
        cell.resolve(BENEFIT)
    assert "cellule exit CRI-2026-0001 --branch" in (hint_for(refused.value) or "")  # the CLI names it


def test_the_branch_statement_must_be_published_in_every_language(bilingual):
    bilingual.commit()
    bilingual.choose(ExitBranch.NOT_HANDLED)
    fr, en = bilingual.propose(DraftKind.APOLOGY, by="claire.morel")
    bilingual.approve(fr, "sophie.marchand", "anne.roux")
    bilingual.publish(fr)
    assert refusal(bilingual) == ["the apology of the branch is not published in en"]
    bilingual.approve(en, "sophie.marchand", "anne.roux")
    bilingual.publish(en, where="Google (English)")
    bilingual.resolve(BENEFIT)
    assert bilingual.incident().status == IncidentStatus.RESOLVED


def test_the_not_handled_branch_needs_a_commitment_standing(cell):
    cell.apologise_in_public()
    cell.drop("C1", reason="Le prestataire de formation a fermé.")
    assert refusal(cell) == ["the not-handled branch needs at least 1 public commitment(s) standing"]


def test_each_review_avenue_must_be_concluded_or_abandoned_with_a_reason(cell):
    cell.apologise_in_public()
    open_review_case(
        cell,
        report=AvenueStatus.WAITING,
        legal=(AvenueStatus.ABANDONED, "  "),
    )
    review, act = "R1 (google review g-42)", "(conclude it, or abandon it with a reason)"
    assert refusal(cell) == [
        f"{review}: the platform report is waiting {act}",
        f"{review}: the legal avenue was abandoned without saying why",
        f"{review}: the public reply is not started {act}",
    ]


def test_resolved_once_the_criteria_hold_with_what_was_gained(cell):
    cell.apologise_in_public()
    open_review_case(
        cell,
        report=AvenueStatus.FAILED,
        legal=(AvenueStatus.ABANDONED, "L'assureur juge la procédure disproportionnée."),
        reply=AvenueStatus.SUCCEEDED,
    )
    cell.resolve(BENEFIT, at=T0 + timedelta(hours=3))

    incident = cell.incident()
    assert incident.status == IncidentStatus.RESOLVED and incident.resolved_at == T0 + timedelta(hours=3)
    assert incident.benefit == BENEFIT
    [benefit] = cell.timeline("benefit")
    assert benefit.actor == "sophie.marchand" and benefit.new == {"benefit": BENEFIT}
    assert cell.timeline("status")[-1].summary == "exiting → resolved"
    with pytest.raises(ExitError, match="is resolved: there is nothing left to resolve"):
        cell.resolve(BENEFIT)


def test_only_a_member_of_the_cell_resolves(cell):
    cell.apologise_in_public()
    with pytest.raises(ExitError, match="Lucas Perrin is not in the crisis cell"):
        cell.resolve(BENEFIT, by="lucas.perrin")
    assert cell.incident().status == IncidentStatus.EXITING
