"""`cellule postmortem`, `report-period` and `evidence`, as a communications lead uses them."""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select

from cellule.store import open_store
from models import ActionItem, KitVersion, PostMortem, transaction
from tests.postmortem.scenario import build_drill, build_resolved
from tests.scenarios.hotel import load_hotel_kit

Run = Callable[..., Result]


@pytest.fixture
def run(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, cellule_cli: Run) -> Run:
    sessions = open_store(sqlite_url)
    load_hotel_kit(sessions)
    build_resolved(sessions)
    build_drill(sessions)
    monkeypatch.setenv("CELLULE_DEFAULT_LOCALE", "fr")
    return cellule_cli


def test_markdown_goes_to_the_terminal_in_the_default_language(run: Run) -> None:
    result = run("postmortem", "cri-2026-0001")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Retour d'expérience — CRI-2026-0001")


def test_html_in_english_in_another_zone_to_a_file(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run(
        "postmortem",
        "CRI-2026-0001",
        "--format",
        "html",
        "--lang",
        "en",
        "--tz",
        "America/Montreal",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert (
        "<h2>Timeline</h2>" in html and "Times in America/Montreal" in html and "26 Nov 2026, 04:16" in html
    )


def test_pdf_when_weasyprint_is_there(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = run("postmortem", "EXE-2026-0001", "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_pdf_without_weasyprint_says_how_to_get_it(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # importing it now raises ImportError
    out = tmp_path / "report.pdf"
    result = run("postmortem", "CRI-2026-0001", "--format", "pdf", "-o", str(out))
    assert result.exit_code == 1
    assert "PDF needs WeasyPrint: pip install 'cellule[pdf]'" in result.output
    assert not out.exists()


def test_a_pdf_needs_a_file_and_an_unknown_incident_is_refused(run: Run) -> None:
    assert run("postmortem", "CRI-2026-0001", "--format", "pdf").exit_code == 2
    unknown = run("postmortem", "CRI-2026-0999")
    assert unknown.exit_code == 2 and "No incident 'CRI-2026-0999'" in unknown.output


def test_notes_round_trip_through_a_file(run: Run, tmp_path: Path, sqlite_url: str) -> None:
    notes = tmp_path / "notes.yaml"
    assert run("postmortem", "CRI-2026-0001", "--lang", "en", "--export-notes", str(notes)).exit_code == 0
    text = notes.read_text(encoding="utf-8")
    assert "Cell assembled: 2 h 30, against a target of 2 h 00" in text
    notes.write_text(
        text.replace(
            "action_items:\n",
            "action_items:\n- text: Rehearse review bombing\n  owner: claire.morel\n  due: 2027-01-31\n",
        ),
        encoding="utf-8",
    )
    result = run(
        "postmortem", "CRI-2026-0001", "--lang", "en", "--notes", str(notes), "--as", "sophie.marchand"
    )
    assert result.exit_code == 0, result.output
    assert "| A2 | Rehearse review bombing | Claire Morel |" in result.output
    with transaction(open_store(sqlite_url)) as session:
        assert session.scalars(select(PostMortem)).one().notes_edited_by == "sophie.marchand"


def test_bad_notes_are_refused_with_their_line(run: Run, tmp_path: Path, sqlite_url: str) -> None:
    notes = tmp_path / "notes.yaml"
    notes.write_text(
        "went_well:\n  - fine\naction_items:\n  - text: x\n    owner: claire.morel\n", encoding="utf-8"
    )
    result = run("postmortem", "CRI-2026-0001", "--notes", str(notes))
    assert result.exit_code == 2
    assert "notes.yaml:4: action_items.0.due: this field is required" in result.output
    assert "Nothing was changed." in result.output
    with transaction(open_store(sqlite_url)) as session:
        assert (
            session.scalars(select(PostMortem)).all() == []
            and len(session.scalars(select(ActionItem)).all()) == 1
        )


def test_the_period_report_from_the_command_line(run: Run) -> None:
    result = run("report-period", "--from", "2026-11-01", "--to", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "1 incidents from 2026-11-01 to 2026-11-30 (Europe/Paris)" in result.output
    assert "acknowledge" in result.output and "100% (1/1)" in result.output  # 12 min against 30
    assert "Former l'accueil aux réponses publiques" in result.output  # C2, still open
    assert "Name a second legal backup" in result.output
    drills = run("report-period", "--from", "2026-11-01", "--to", "2026-11-30", "--drills")
    assert "1 drills from" in drills.output
    assert run("report-period", "--from", "2026-11-30", "--to", "2026-11-01").exit_code == 2
    assert run("report-period", "--from", "soon", "--to", "2026-11-01").exit_code == 2


def test_storing_the_report_says_where_the_kits_language_version_is(
    prefect_server: None, run: Run, tmp_path: Path, sqlite_url: str
) -> None:
    sessions = open_store(sqlite_url)
    with transaction(sessions) as session:  # the hotel's kit, written in English
        for version in session.scalars(select(KitVersion)):
            version.document = {**version.document, "kit": {**version.document["kit"], "locale": "en"}}
    result = run("postmortem", "CRI-2026-0001", "--store")
    assert result.exit_code == 0, result.output
    report = tmp_path / "data" / "reports" / "CRI-2026-0001" / "postmortem.en.html"
    assert f"stored ({report});" in result.output.replace("\n", "") and report.is_file()
    with transaction(sessions) as session:
        assert session.scalars(select(PostMortem.report_path)).one() == str(report)


def test_the_evidence_bundle_from_the_command_line(run: Run, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.zip"
    result = run("evidence", "CRI-2026-0001", "-o", str(bundle))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(bundle) as archive:
        assert "CRI-2026-0001/SHA256SUMS" in archive.namelist()
        assert "CRI-2026-0001/evidence/R1-google-g-review-1.txt" in archive.namelist()


def test_the_tick_counts_the_resolved_incidents_it_writes_a_report_for(
    prefect_server: None, run: Run
) -> None:
    first = run("tick")  # nothing open: the resolved incident and the finished drill, awaiting their report
    assert first.exit_code == 0, first.output
    assert "✓ 2 incident(s) brought up to date." in first.output and "open incident" not in first.output
    assert "✓ 0 incident(s) brought up to date." in run("tick").output
