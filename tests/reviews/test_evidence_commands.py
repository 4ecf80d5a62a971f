"""`cellule review evidence …` and `cellule evidence`: the checklist, a file attached, the bundle verified."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from cellule.store import open_store
from tests.reviews.scenario import Hotel, hotel_with_fake_review

Run = Callable[..., Result]
REF = "CRI-2026-0001"
SHA256SUM = shutil.which("sha256sum")


@pytest.fixture
def store(sqlite_url: str) -> Hotel:
    return hotel_with_fake_review(open_store(sqlite_url))


@pytest.mark.skipif(SHA256SUM is None, reason="coreutils' sha256sum is not installed")
def test_counsel_s_file_from_the_command_line(store: Hotel, cellule_cli: Run, tmp_path: Path) -> None:
    listed = cellule_cli("review", "evidence", "checklist", REF, "R1", "--lang", "en")
    assert listed.exit_code == 0, listed.output
    assert "✗ missing: screenshots or a bailiff's report" in listed.output
    assert "Legal action lapses 2027-02-26" in listed.output and "(the platform's date)" in listed.output
    constat = tmp_path / "constat.pdf"
    constat.write_bytes(b"%PDF-1.7\nconstat\n%%EOF\n")
    attached = cellule_cli(
        "review",
        "evidence",
        "attach",
        REF,
        "R1",
        str(constat),
        "--kind",
        "bailiff_report",
        "--as",
        "anne.roux",
    )
    assert attached.exit_code == 0, attached.output
    assert hashlib.sha256(constat.read_bytes()).hexdigest() in attached.output.replace("\n", "")
    refused = cellule_cli("review", "evidence", "attach", REF, "R1", str(constat), "--kind", "selfie")
    assert refused.exit_code == 2 and "Nothing was changed." in refused.output
    french = cellule_cli("review", "evidence", "checklist", REF, "R1")
    assert "✓ captures d'écran ou constat de commissaire de justice" in french.output
    assert "Prescription de l'action : 2027-02-26" in french.output
    bundle = tmp_path / "bundle.zip"
    written = cellule_cli("evidence", REF, "-o", str(bundle))
    assert written.exit_code == 0, written.output
    assert "1 attached file(s)" in written.output
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path / "out")
    checked = subprocess.run(
        [SHA256SUM, "-c", "SHA256SUMS"],
        cwd=tmp_path / "out" / REF,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "evidence/attachments/R1-constat.pdf: OK" in checked.stdout
