"""Commitments: the public promises made to exit on top — recorded, kept with a proof, or dropped (why)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.exit_on_top.branches import ExitError
from flows.exit_on_top.commitments import find_commitment, parse_due
from models import CommitmentStatus, Incident, Person, transaction
from tests.exit_on_top.scenario import T0


def act(cell, verb, label: str = "C1", *, by: str = "sophie.marchand", **values):
    with transaction(cell.sessions) as session:
        incident = session.get_one(Incident, cell.incident_id)
        commitment = find_commitment(session, incident=incident, label=label)
        verb(
            session, commitment=commitment, by=cell.person(session, by), at=T0 + timedelta(days=20), **values
        )


def test_a_commitment_is_recorded_with_its_owner_and_due_date(cell):
    commitment_id = cell.commit(
        "Former toute l'équipe d'accueil", owner="henri.delacroix", due=timedelta(days=30)
    )
    commitment = cell.commitment(commitment_id)
    assert commitment.status == CommitmentStatus.OPEN and commitment.due_at == T0 + timedelta(days=30)
    with transaction(cell.sessions) as session:
        assert session.get_one(Person, commitment.owner_id).key == "henri.delacroix"  # any person of the kit
    [event] = cell.timeline("commitment")
    assert (
        event.summary
        == "C1 committed, owned by Henri Delacroix, due 2026-12-26: Former toute l'équipe d'accueil"
    )
    assert event.actor == "sophie.marchand"


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"text": "   "}, "Write the commitment as the public will read it"),
        ({"text": "x" * 501}, "1 to 500 characters"),
        ({"due": timedelta(days=-1)}, "The due date is already past"),
        ({"by": "lucas.perrin"}, "Lucas Perrin is not in the crisis cell"),
    ],
)
def test_a_commitment_that_makes_no_sense_is_refused(cell, values, says):
    before = cell.snapshot()
    with pytest.raises(ExitError, match=says):
        cell.commit(**values)
    assert cell.snapshot() == before


def test_a_commitment_is_kept_with_a_proof_anyone_can_open(cell):
    commitment_id = cell.commit()
    with pytest.raises(ExitError, match="https://"):
        cell.keep(proof="the training happened")
    cell.keep(proof="https://hoteldeslilas.example/formation-accueil")

    commitment = cell.commitment(commitment_id)
    assert commitment.status == CommitmentStatus.KEPT and commitment.kept_at == T0 + timedelta(days=20)
    assert commitment.proof_url == "https://hoteldeslilas.example/formation-accueil"
    [kept] = cell.timeline("commitment_kept")
    assert kept.old == {"commitment": "C1", "status": "open"} and kept.new["status"] == "kept"
    with pytest.raises(ExitError, match="C1 of CRI-2026-0001 is already kept"):
        cell.drop(reason="Finalement non.")


def test_its_owner_may_keep_it_without_being_in_the_cell(cell):
    cell.commit(owner="isabelle.delacroix")  # in the kit, not called for this incident
    cell.keep(by="isabelle.delacroix")
    cell.commit("Répondre à chaque avis sous 48 heures")
    with pytest.raises(ExitError, match="Lucas Perrin is not in the crisis cell"):
        cell.keep("C2", by="lucas.perrin")  # neither its owner nor in the cell


def test_a_dropped_promise_says_why(cell):
    commitment_id = cell.commit()
    with pytest.raises(ExitError, match="Say why the promise is withdrawn"):
        cell.drop(reason=" ")
    cell.drop(reason="Le prestataire de formation a fermé ; nous en cherchons un autre.")
    commitment = cell.commitment(commitment_id)
    assert commitment.status == CommitmentStatus.DROPPED and commitment.dropped_reason.startswith(
        "Le prestataire"
    )


def test_labels_are_read_in_any_case_and_unknown_ones_refused(cell):
    cell.commit()
    cell.commit("Répondre à chaque avis sous 48 heures")
    with transaction(cell.sessions) as session:
        incident = session.get_one(Incident, cell.incident_id)
        assert find_commitment(session, incident=incident, label="c2").text.startswith("Répondre")
        assert find_commitment(session, incident=incident, label="1").text.startswith("Former")
        with pytest.raises(ExitError, match="has no commitment 'C3'"):
            find_commitment(session, incident=incident, label="C3")


def test_due_dates_are_written_as_a_day_or_a_delay():
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    # the end of that day where the owner lives
    assert parse_due("2026-12-31", now=now, zone="Europe/Paris") == datetime(2026, 12, 31, 22, 59, tzinfo=UTC)
    assert parse_due("30d", now=now, zone="Europe/Paris") == now + timedelta(days=30)
    assert parse_due("6W", now=now, zone="Europe/Paris") == now + timedelta(weeks=6)
    with pytest.raises(ExitError, match="write it 2026-12-31, or 30d"):
        parse_due("next Tuesday", now=now, zone="Europe/Paris")
