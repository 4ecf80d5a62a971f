"""The evidence bundle: every file listed in SHA256SUMS, verified by `sha256sum -c` itself."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.postmortem import evidence_bundle
from models import ReviewCase, transaction
from tests.postmortem.scenario import Built
from tests.postmortem.support import NOW, record_of, render

SHA256SUM = shutil.which("sha256sum")


def unzip(sessions: sessionmaker[Session], built: Built, into: Path) -> Path:
    record = record_of(sessions, built)
    bundle = evidence_bundle(record, html=render(record, "html"), markdown=render(record, "md"), at=NOW)
    with zipfile.ZipFile(__import__("io").BytesIO(bundle)) as archive:
        archive.extractall(into)
    return into / built.ref


@pytest.mark.skipif(SHA256SUM is None, reason="coreutils' sha256sum is not installed")
def test_the_manifest_verifies_with_sha256sum(
    hotel: sessionmaker[Session], resolved: Built, tmp_path: Path
) -> None:
    folder = unzip(hotel, resolved, tmp_path)
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == [
        "SHA256SUMS",
        "evidence/R1-google-g-review-1.json",
        "evidence/R1-google-g-review-1.txt",
        "incident.json",
        "postmortem.html",
        "postmortem.md",
    ]
    check = subprocess.run([SHA256SUM, "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == len(files) - 1  # every file but the manifest itself
    (folder / "postmortem.md").write_text("tampered", encoding="utf-8")
    tampered = subprocess.run([SHA256SUM, "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert tampered.returncode != 0 and "postmortem.md: FAILED" in tampered.stdout


def test_each_snapshot_is_the_evidence_as_captured(
    hotel: sessionmaker[Session], resolved: Built, tmp_path: Path
) -> None:
    folder = unzip(hotel, resolved, tmp_path)
    with transaction(hotel) as session:
        case = session.scalars(select(ReviewCase).where(ReviewCase.incident_id == resolved.incident_id)).one()
        captured, recorded = case.evidence_text, case.evidence_sha256
    snapshot = (folder / "evidence/R1-google-g-review-1.txt").read_bytes()
    assert snapshot.decode("utf-8") == captured
    assert hashlib.sha256(snapshot).hexdigest() == recorded
    assert f"{recorded}  evidence/R1-google-g-review-1.txt" in (folder / "SHA256SUMS").read_text()
    metadata = json.loads((folder / "evidence/R1-google-g-review-1.json").read_text())
    assert metadata["sha256_at_capture"] == recorded and metadata["sha256_matches_capture"] is True
    assert metadata["captured_at"] == "2026-11-26T09:01:00+00:00"


def test_the_incident_json_holds_every_fact(
    hotel: sessionmaker[Session], resolved: Built, tmp_path: Path
) -> None:
    document = json.loads((unzip(hotel, resolved, tmp_path) / "incident.json").read_text())
    assert document["ref"] == "CRI-2026-0001" and document["is_drill"] is False
    assert len(document["signals"]) == 7 and len(document["statements"]) == 2
    assert document["milestones"]["resolved_at"] == "2026-11-29T09:00:00+00:00"
    assert document["targets"]["acknowledge"] == 1800.0
    assert [a["name"] for a in document["reviews"][0]["avenues"]] == ["report", "legal", "reply"]


def test_the_same_facts_make_the_same_bundle(hotel: sessionmaker[Session], resolved: Built) -> None:
    record = record_of(hotel, resolved)
    html, markdown = render(record, "html"), render(record, "md")
    assert evidence_bundle(record, html=html, markdown=markdown, at=NOW) == evidence_bundle(
        record, html=html, markdown=markdown, at=NOW
    )
