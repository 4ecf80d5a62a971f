"""Editing a draft: a new version, which the cell approves anew; the approved words are kept exactly."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from flows.quorum import QuorumError
from models import Draft, DraftStatus, transaction
from tests.quorum.scenario import Cell, approval_request_key
from tests.scenarios.hotel import HOLDING, T0

AMENDED = HOLDING + " Merci de votre patience."


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_an_edit_voids_earlier_approvals_and_asks_the_approvers_again(
    cell: Cell, people_ids: dict[str, int]
) -> None:
    draft_id = cell.propose()
    cell.approve(draft_id, by="sophie.marchand")

    cell.edit(draft_id, by="claire.morel", text=AMENDED, at=T0 + timedelta(minutes=10))

    draft = cell.draft(draft_id)
    assert (draft.version, draft.status, draft.text_sha256) == (
        2,
        DraftStatus.AWAITING_APPROVAL,
        sha(AMENDED),
    )
    assert cell.decisions() == [("sophie.marchand", 1, "comms_lead", "approve", True)]
    assert cell.state(draft_id).counted == 0
    [voided] = cell.timeline("approvals_voided")
    assert "Sophie Marchand" in voided.summary and voided.actor == "claire.morel"
    [edited] = cell.timeline("draft_edited")
    assert edited.old is not None and edited.new is not None
    assert (edited.old["version"], edited.new["version"]) == (1, 2)
    assert (edited.old["text_sha256"], edited.new["text_sha256"]) == (sha(HOLDING), sha(AMENDED))
    assert approval_request_key(cell.incident_id, 1, 2, people_ids["sophie.marchand"]) in cell.outbox()


def test_the_text_recorded_with_an_approval_is_exactly_the_version_approved(cell: Cell) -> None:
    draft_id = cell.propose()
    cell.approve(draft_id, by="sophie.marchand")
    cell.edit(draft_id, by="claire.morel", text=AMENDED)

    cell.approve(draft_id, by="sophie.marchand")
    cell.approve(draft_id, by="anne.roux")

    assert cell.draft(draft_id).status == DraftStatus.APPROVED
    recorded = [(a.version, a.text, a.text_sha256, a.voided_at is None) for a in cell.approvals()]
    assert recorded == [
        (1, HOLDING, sha(HOLDING), False),
        (2, AMENDED, sha(AMENDED), True),
        (2, AMENDED, sha(AMENDED), True),
    ]


def test_editing_an_approved_draft_puts_it_back_up_for_approval(cell: Cell) -> None:
    draft_id = cell.propose()
    cell.approve(draft_id, by="sophie.marchand")
    cell.approve(draft_id, by="anne.roux")

    cell.edit(draft_id, by="claire.morel", text=AMENDED)

    draft = cell.draft(draft_id)
    assert draft.status == DraftStatus.AWAITING_APPROVAL and draft.approved_at is None
    assert cell.incident().approved_at == T0  # a milestone, once reached, stays


def test_a_rejected_draft_is_resubmitted_by_editing_it(cell: Cell) -> None:
    draft_id = cell.propose()
    cell.reject(draft_id, by="anne.roux", comment="Plus sobre, s'il vous plaît.")

    cell.edit(draft_id, by="claire.morel", text="Nous vérifions les faits et revenons vers vous.")
    cell.approve(draft_id, by="anne.roux")

    assert cell.approve(draft_id, by="emma.walsh").approved


def test_a_decision_on_a_version_that_changed_is_refused(cell: Cell) -> None:
    draft_id = cell.propose()
    cell.edit(draft_id, by="claire.morel", text=AMENDED)
    before = cell.snapshot()

    with pytest.raises(
        QuorumError, match="D1 changed since you read it: you decided on version 1, it is now"
    ):
        cell.approve(draft_id, by="anne.roux", version=1)
    with pytest.raises(QuorumError, match="changed since you read it"):
        cell.reject(draft_id, by="anne.roux", comment="Non.", version=1)

    assert cell.snapshot() == before
    assert not cell.approve(draft_id, by="anne.roux", version=2).approved  # the version they did read


def test_whoever_edits_a_version_cannot_approve_it(cell: Cell, people_ids: dict[str, int]) -> None:
    draft_id = cell.propose()
    cell.edit(draft_id, by="sophie.marchand", text=AMENDED)  # the comms lead rewrites the community manager

    with pytest.raises(QuorumError, match="Sophie Marchand wrote D1"):
        cell.approve(draft_id, by="sophie.marchand")
    assert approval_request_key(cell.incident_id, 1, 2, people_ids["sophie.marchand"]) not in cell.outbox()
    cell.approve(draft_id, by="emma.walsh")
    assert cell.approve(draft_id, by="anne.roux").approved
    told = {n.person_id for key, n in cell.outbox().items() if "/approved/" in key}
    assert told == {people_ids["claire.morel"], people_ids["sophie.marchand"]}  # both wrote it


def test_an_unchanged_text_or_a_published_draft_cannot_be_edited(cell: Cell) -> None:
    draft_id = cell.propose()
    with pytest.raises(QuorumError, match="unchanged"):
        cell.edit(draft_id, by="claire.morel", text=f"  {HOLDING}\n")

    with transaction(cell.sessions) as session:  # publishing is another step's job; here it has happened
        session.get_one(Draft, draft_id).status = DraftStatus.PUBLISHED
    before = cell.snapshot()
    with pytest.raises(QuorumError, match="D1 is published: it can no longer be edited"):
        cell.edit(draft_id, by="claire.morel", text=AMENDED)
    assert cell.snapshot() == before


def test_only_a_cell_member_edits(cell: Cell) -> None:
    draft_id = cell.propose()

    with pytest.raises(QuorumError, match="Lucas Perrin is not in the crisis cell"):
        cell.edit(draft_id, by="lucas.perrin", text=AMENDED)
