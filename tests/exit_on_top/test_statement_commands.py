"""`cellule statements …` as a person at a terminal uses it: approve, refuse, edit, read."""

from __future__ import annotations

from pathlib import Path


def test_the_library_is_approved_edited_and_read_from_the_command_line(cellule_cli, tmp_path: Path):
    assert cellule_cli("kit", "load", "hotel").exit_code == 0
    refused = cellule_cli(
        "statements", "approve", "fake-review-holding", "--lang", "fr", "--as", "sophie.marchand"
    )
    assert refused.exit_code == 2
    assert "Sophie Marchand wrote fake-review-holding (fr)" in refused.output
    assert "Nothing was changed." in refused.output
    for who in ("anne.roux", "henri.delacroix"):
        done = cellule_cli("statements", "approve", "fake-review-holding", "--lang", "fr", "--as", who)
        assert done.exit_code == 0, done.output
    assert "Quorum reached: 2 of 2 distinct roles (legal, executive)" in done.output
    listed = cellule_cli("statements", "list")
    [fr] = [line for line in listed.output.splitlines() if " fr " in line]
    assert "approved, until" in fr
    shown = cellule_cli("statements", "show", "fake-review-holding")
    assert "Me Anne Roux (legal) approved" in shown.output and "SHA-256" in shown.output
    text = tmp_path / "new.txt"
    text.write_text("Nous avons lu l'avis publié sur {{ target }} et vérifions les faits.", encoding="utf-8")
    edited = cellule_cli(
        "statements",
        "edit",
        "fake-review-holding",
        "--lang",
        "fr",
        "--file",
        str(text),
        "--as",
        "claire.morel",
    )
    assert edited.exit_code == 0, edited.output
    assert "version 2" in edited.output and "Earlier approvals no longer count" in edited.output
    [fr] = [line for line in cellule_cli("statements", "list").output.splitlines() if " fr " in line]
    assert "approved" not in fr and "2 more approvals needed" in fr
    unknown = cellule_cli("statements", "show", "nope")
    assert unknown.exit_code == 2 and "fake-review-holding" in unknown.output
