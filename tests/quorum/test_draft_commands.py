"""`cellule draft`, `drafts`, `approve`, `reject`, `edit`, as a person at a terminal uses them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cellule.store import open_store
from models import DraftStatus
from tests.quorum.scenario import Cell
from tests.scenarios.hotel import HOLDING, load_hotel_kit, open_defamatory_review

Run = Callable[..., Result]
REF = "CRI-2026-0001"


@pytest.fixture
def store(sqlite_url: str) -> Cell:
    """The hotel's crisis cell in the SQLite store the commands use."""
    sessions = open_store(sqlite_url)
    load_hotel_kit(sessions)
    return Cell(sessions, open_defamatory_review(sessions))


@pytest.fixture
def run(store: Cell, cellule_cli: Run) -> Run:
    """Run a draft command against the store named by CELLULE_DATABASE_URL, messages on the console."""
    return cellule_cli


def test_propose_then_approve_until_the_quorum_holds(run: Run, store: Cell) -> None:
    proposed = run(
        "draft", "cri-2026-0001", "--as", "claire.morel", "--kind", "holding_statement", "--text", HOLDING
    )

    assert proposed.exit_code == 0, proposed.output
    assert "✓ D1 proposed for CRI-2026-0001 (holding_statement, version 1)." in proposed.output
    assert (
        "Approval asked of: Sophie Marchand (comms_lead), Emma Walsh (comms_lead), Me Anne Roux (legal)"
        in (proposed.output)
    )
    assert "Subject: CRI-2026-0001 · D1 à valider : Message d'attente, version 1" in proposed.output  # sent

    first = run("approve", REF, "D1", "--as", "sophie.marchand")
    assert first.exit_code == 0, first.output
    assert "1 more approval needed, from a role not heard yet: legal or executive." in first.output

    table = run("drafts", REF)
    assert table.exit_code == 0, table.output
    for shown in ("D1", "holding_statement", "awaiting_approval", "✓ Sophie Marchand (comms_lead)"):
        assert shown in table.output

    second = run("approve", REF, "d1", "--as", "anne.roux", "--version", "1")
    assert second.exit_code == 0, second.output
    assert "Quorum reached: 2 of 2 distinct roles (comms_lead, legal)." in second.output
    assert "D1 validé par la cellule (version 1)" in second.output  # the author is told at once
    [approved] = store.snapshot()["drafts"]
    assert approved[2] == DraftStatus.APPROVED.value


def test_send_back_then_edit_from_a_file(run: Run, store: Cell, tmp_path: Path) -> None:
    store.propose()
    store.approve(1, by="sophie.marchand")
    new_text = tmp_path / "reponse.txt"
    new_text.write_text("Bonjour,\n\nNous vérifions les faits et revenons vers vous.\n", encoding="utf-8")

    sent_back = run("reject", REF, "D1", "--as", "anne.roux", "--comment", "Trop affirmatif.")
    assert sent_back.exit_code == 0, sent_back.output
    assert "D1 (version 1) sent back to Claire Morel with your comment." in sent_back.output
    assert "D1 renvoyé par Me Anne Roux (version 1)" in sent_back.output

    edited = run("edit", REF, "D1", "--as", "claire.morel", "--file", str(new_text))
    assert edited.exit_code == 0, edited.output
    assert "D1 is now version 2, awaiting approval." in edited.output

    detail = run("drafts", REF, "D1", "--tz", "Europe/Paris")
    assert detail.exit_code == 0, detail.output
    assert "Nous vérifions les faits et revenons vers vous." in detail.output
    assert "approve (voided: the text changed)" in detail.output
    assert "Trop affirmatif." in detail.output


@pytest.mark.parametrize(
    "args, reason",
    [
        (
            ["approve", REF, "D1", "--as", "claire.morel"],
            "Claire Morel wrote D1: its approval must come from others.",
        ),
        (
            ["approve", REF, "D1", "--as", "lucas.perrin"],
            "Lucas Perrin is not in the crisis cell of CRI-2026-0001",
        ),
        (["approve", REF, "D1", "--as", "anne.roux", "--version", "2"], "D1 changed since you read it"),
        (["reject", REF, "D1", "--as", "anne.roux", "--comment", "  "], "a rejection needs a comment"),
        (["edit", REF, "D1", "--as", "claire.morel", "--text", HOLDING], "The text of D1 is unchanged"),
        (["draft", REF, "--as", "claire.morel", "--text", ""], "The text is empty."),
        (["approve", REF, "D1", "--as", "nobody"], "Nobody has the key 'nobody' in the crisis kit."),
        (["approve", REF, "D7", "--as", "anne.roux"], "CRI-2026-0001 has no draft 'D7'."),
        (["approve", "CRI-1999-0001", "D1", "--as", "anne.roux"], "No incident 'CRI-1999-0001'."),
        (["draft", REF, "--as", "claire.morel"], "Give the text with --text, or a file with --file"),
    ],
)
def test_a_refused_action_says_why_and_changes_nothing(
    run: Run, store: Cell, args: list[str], reason: str
) -> None:
    store.propose()
    before = store.snapshot()

    result = run(*args)

    assert result.exit_code == 2, result.output
    assert reason in result.output
    assert store.snapshot() == before


def test_outside_text_is_shown_as_written_never_as_markup(run: Run, store: Cell) -> None:
    hostile = "[bold red]Alerte[/] [link=https://evil.example]ici[/link] <!channel>"
    store.propose(text=hostile)

    shown = run("drafts", REF, "D1")

    assert shown.exit_code == 0, shown.output
    assert hostile in shown.output
