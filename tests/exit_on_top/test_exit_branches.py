"""Choosing the branch: a person of the cell says whether the subject was already handled or not.

Recorded on the incident and its timeline (who, when, old and new); the incident is then exiting.
"""

from __future__ import annotations

import pytest

from cellule.commands.common import hint_for
from flows.exit_on_top.branches import ExitBranch, ExitError, branch_chooser
from models import DraftKind, DraftStatus, IncidentStatus, transaction


def test_the_branch_is_recorded_with_who_chose_it_and_the_incident_exits(cell):
    assert cell.choose(ExitBranch.ALREADY_HANDLED, by="sophie.marchand") is True

    incident = cell.incident()
    assert incident.exit_branch == "already_handled" and incident.status == IncidentStatus.EXITING
    [event] = cell.timeline("exit_branch")
    assert event.actor == "sophie.marchand" and event.old is None
    assert event.summary == "Sophie Marchand chose the exit branch: already handled"
    assert [e.summary for e in cell.timeline("status")] == ["assembled → exiting"]
    with transaction(cell.sessions) as session:
        assert branch_chooser(session, incident=incident).key == "sophie.marchand"


def test_choosing_the_same_branch_again_changes_nothing(cell):
    cell.choose(ExitBranch.ALREADY_HANDLED)
    before = cell.snapshot()
    assert cell.choose(ExitBranch.ALREADY_HANDLED, by="anne.roux") is False
    assert cell.snapshot() == before


def test_the_not_handled_branch_needs_its_commitments_first(cell):
    before = cell.snapshot()
    with pytest.raises(ExitError, match=r"record at least 1 first") as refused:
        cell.choose(ExitBranch.NOT_HANDLED)
    assert "cellule commit CRI-2026-0001" in (hint_for(refused.value) or "")  # the CLI names the command
    assert cell.snapshot() == before

    cell.commit()
    assert cell.choose(ExitBranch.NOT_HANDLED) is True
    assert cell.incident().exit_branch == "not_handled"


def test_only_a_member_of_the_cell_chooses(cell):
    with pytest.raises(ExitError, match="Henri Delacroix is not in the crisis cell"):
        cell.choose(ExitBranch.ALREADY_HANDLED, by="henri.delacroix")  # he declined the call
    assert cell.incident().exit_branch is None


def test_changing_the_branch_withdraws_the_old_branch_statement_not_yet_published(cell):
    cell.choose(ExitBranch.ALREADY_HANDLED)
    [statement] = cell.propose(DraftKind.STATEMENT, by="claire.morel")
    cell.commit()

    assert cell.choose(ExitBranch.NOT_HANDLED, by="anne.roux") is True
    assert cell.draft(statement).status == DraftStatus.WITHDRAWN
    last = cell.timeline("exit_branch")[-1]
    assert last.old == {"branch": "already_handled"} and last.new["branch"] == "not_handled"
    assert cell.propose(DraftKind.APOLOGY, by="claire.morel")  # the new branch's statement is drafted

    cell.choose(ExitBranch.ALREADY_HANDLED)  # back again: the withdrawn draft does not count as done
    assert len(cell.propose(DraftKind.STATEMENT, by="claire.morel")) == 1


def test_the_branch_no_longer_changes_once_its_statement_is_published(cell):
    cell.commit()
    cell.choose(ExitBranch.NOT_HANDLED)
    [apology] = cell.propose(DraftKind.APOLOGY, by="claire.morel")
    cell.approve(apology, "sophie.marchand", "anne.roux")
    cell.publish(apology)
    before = cell.snapshot()
    with pytest.raises(ExitError, match=r"already published the not handled statement \(D1\)"):
        cell.choose(ExitBranch.ALREADY_HANDLED)
    assert cell.snapshot() == before


def test_a_resolved_incident_has_its_way_out_settled(cell):
    cell.choose(ExitBranch.ALREADY_HANDLED)
    [statement] = cell.propose(DraftKind.STATEMENT, by="claire.morel")
    cell.edit(statement, "Notre charte d'accueil est publique : https://hoteldeslilas.example/charte.")
    cell.approve(statement, "sophie.marchand", "anne.roux")
    cell.publish(statement)
    cell.resolve("Une charte d'accueil désormais visible de tous.")
    with pytest.raises(ExitError, match="is resolved: its way out is already settled"):
        cell.choose(ExitBranch.ALREADY_HANDLED)
