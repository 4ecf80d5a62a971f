"""Proposing a public text: it is numbered, fingerprinted, and every approver in the cell is asked once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from flows.quorum import (
    MAX_DRAFT_CHARS,
    QuorumError,
    approval_policy,
    drafts_waiting_past_target,
    queue_approval_requests,
)
from models import Draft, DraftKind, DraftStatus, Incident, transaction
from tests.quorum.scenario import Cell, approval_request_key
from tests.scenarios.hotel import HOLDING, T0


def test_a_draft_awaits_approval_numbered_within_its_incident(cell: Cell) -> None:
    first = cell.propose()
    second = cell.propose(text="Nous sommes désolés.", kind=DraftKind.APOLOGY)

    d1, d2 = cell.draft(first), cell.draft(second)
    assert (d1.label, d2.label) == ("D1", "D2")
    assert d1.status == DraftStatus.AWAITING_APPROVAL and d1.version == 1
    assert d1.text_sha256 == hashlib.sha256(HOLDING.encode()).hexdigest()
    [event, _] = cell.timeline("draft_proposed")
    assert event.actor == "claire.morel"
    assert event.new is not None and event.new["draft"] == "D1" and event.new["version"] == 1
    assert "Sophie Marchand (comms_lead)" in event.summary


def test_each_approver_is_asked_once_and_nobody_else(cell: Cell, people_ids: dict[str, int]) -> None:
    draft_id = cell.propose(by="claire.morel")

    asked = {key for key in cell.outbox() if "/approve/" in key}
    # The comms leads (primary and backup, even not yet answered) and legal; not the author, not the agency
    # (not an approving role), not the executive who declined, not anyone outside the cell.
    expected = {
        approval_request_key(cell.incident_id, 1, 1, people_ids[key])
        for key in ("sophie.marchand", "emma.walsh", "anne.roux")
    }
    assert asked == expected
    request = cell.outbox()[approval_request_key(cell.incident_id, 1, 1, people_ids["anne.roux"])]
    assert request.template == "approval_request"
    assert request.context["text"] == HOLDING and request.context["role"] == "legal"

    with transaction(cell.sessions) as session:  # asking again (say, on a reminder) queues nothing new
        draft = session.get_one(Draft, draft_id)
        incident = session.get_one(Incident, cell.incident_id)
        queue_approval_requests(session, draft=draft, incident=incident, at=T0, available={"console"})
    assert {key for key in cell.outbox() if "/approve/" in key} == expected


def test_a_request_goes_through_slack_first_for_whoever_is_on_slack(cell: Cell) -> None:
    cell.available = frozenset({"console", "slack", "email"})
    cell.propose()

    routes = [n.route for key, n in cell.outbox().items() if key.endswith(f"person:{_id(cell, 'anne.roux')}")]
    assert routes == [
        [["slack", "U04ROUXAV01"], ["email", "a.roux@roux-avocats.example"], ["console", "anne.roux"]]
    ]


def test_someone_outside_the_cell_cannot_propose(cell: Cell) -> None:
    before = cell.snapshot()

    for outsider in ("lucas.perrin", "henri.delacroix"):  # never called; called but declined
        with pytest.raises(QuorumError, match="is not in the crisis cell of CRI-2026-0001"):
            cell.propose(by=outsider)

    assert cell.snapshot() == before


def test_the_text_is_cleaned_and_must_say_something_within_the_limit(cell: Cell) -> None:
    draft_id = cell.propose(text="  \x1b[31mBonjour\x07, merci\u202e de votre patience.\r\n ")
    assert cell.draft(draft_id).text == "[31mBonjour, merci de votre patience."

    for empty in ("", "   \n\t", "\x00\x1b"):
        with pytest.raises(QuorumError, match="The text is empty"):
            cell.propose(text=empty)
    for placeholder in ("…", "...", " — ", "[[ ]]"):
        with pytest.raises(QuorumError, match="has no words"):
            cell.propose(text=placeholder)
    with pytest.raises(QuorumError, match="too long"):
        cell.propose(text="a" * (MAX_DRAFT_CHARS + 1))
    assert cell.draft(cell.propose(text="a" * MAX_DRAFT_CHARS)).number == 2


def test_drafts_waiting_longer_than_the_target_are_found_for_a_reminder(cell: Cell) -> None:
    waiting = cell.propose()
    approved = cell.propose(text="Un autre texte.")
    cell.approve(approved, by="sophie.marchand")
    cell.approve(approved, by="anne.roux")

    with transaction(cell.sessions) as session:
        incident = session.get_one(Incident, cell.incident_id)
        policy = approval_policy(session, incident=incident)  # the hotel kit: 1 hour
        found = [
            [d.id for d in drafts_waiting_past_target(session, incident=incident, policy=policy, now=now)]
            for now in (T0 + timedelta(minutes=59), T0 + timedelta(hours=1))
        ]
    assert found == [[], [waiting]]


def _id(cell: Cell, key: str) -> int:
    with transaction(cell.sessions) as session:
        return cell.person(session, key).id
