"""The evidence file for counsel: what is held, what is missing, and attached files the bundle verifies."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from flows.postmortem import ReportFormat, evidence_bundle, read_record, render_report
from flows.reviews.errors import ReviewError
from flows.reviews.evidence_files import attach_evidence, bundle_attachments
from flows.reviews.legal_clock import case_evidence
from models import transaction
from tests.reviews.scenario import T0, Hotel

SHA256SUM = shutil.which("sha256sum")
SCREENSHOT = b"\x89PNG\r\n\x1a\n" + b"the review as it was displayed" * 50
CONSTAT = b"%PDF-1.7\nConstat de commissaire de justice, 26 novembre 2026\n%%EOF\n"


def attach(hotel: Hotel, name: str, content: bytes, kind: str = "screenshot"):  # type: ignore[no-untyped-def]
    return hotel.act(
        lambda s, c: attach_evidence(
            s, case=c, name=name, content=content, kind=kind, at=T0, actor="anne.roux"
        )
    )


def checklist(hotel: Hotel) -> dict[str, bool]:
    view = hotel.act(lambda s, c: case_evidence(s, case=c, now=T0))
    return {item.key: item.present for item in view.items}


def test_the_checklist_says_what_counsel_still_lacks(hotel):
    assert checklist(hotel) == {
        "url": True,
        "seen_at": True,
        "author": True,
        "text": True,
        "platform_ids": True,
        "files": False,  # no screenshot, no bailiff's report yet
    }
    view = hotel.act(lambda s, c: case_evidence(s, case=c, now=T0))
    missing = [item.said("fr") for item in view.items if not item.present]
    assert missing == ["captures d'écran ou constat de commissaire de justice, avec leurs empreintes"]
    assert view.clock is not None and not view.clock.lapsed
    attach(hotel, "capture avis.png", SCREENSHOT)
    assert all(checklist(hotel).values())


def test_a_file_is_attached_once_with_its_hash_and_never_overwritten(hotel):
    first = attach(hotel, "constat.pdf", CONSTAT, "bailiff_report")
    assert first.sha256 == hashlib.sha256(CONSTAT).hexdigest()
    assert attach(hotel, "constat.pdf", CONSTAT, "bailiff_report").id == first.id
    with pytest.raises(ReviewError, match="already attached with other content"):
        attach(hotel, "constat.pdf", CONSTAT + b"altered")
    with pytest.raises(ReviewError, match="kind of evidence"):
        attach(hotel, "x.txt", b"x", "selfie")
    assert [e.new["sha256"] for e in hotel.timeline("evidence_attached")] == [first.sha256]


@pytest.mark.skipif(SHA256SUM is None, reason="coreutils' sha256sum is not installed")
def test_the_bundle_lists_attached_files_and_sha256sum_verifies_them(hotel, tmp_path: Path):
    attach(hotel, "capture avis.png", SCREENSHOT)
    attach(hotel, "constat.pdf", CONSTAT, "bailiff_report")
    with transaction(hotel.sessions) as session:
        record = read_record(session, incident_id=hotel.incident_id)
        attachments = bundle_attachments(session, incident_id=hotel.incident_id)
    html, markdown = (
        str(render_report(record, fmt=ReportFormat(f), locale="en", zone=ZoneInfo("Europe/Paris"), as_of=T0))
        for f in ("html", "md")
    )
    bundle = evidence_bundle(record, html=html, markdown=markdown, at=T0, attachments=attachments)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / record.ref
    manifest = (folder / "SHA256SUMS").read_text()
    assert f"{hashlib.sha256(SCREENSHOT).hexdigest()}  evidence/attachments/R1-capture_avis.png" in manifest
    assert f"{hashlib.sha256(CONSTAT).hexdigest()}  evidence/attachments/R1-constat.pdf" in manifest
    checked = subprocess.run(
        [SHA256SUM, "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "evidence/attachments/R1-constat.pdf: OK" in checked.stdout
    # The legal clock is in the case's metadata and in the report.
    [metadata] = [json.loads(p.read_text()) for p in (folder / "evidence").glob("R1-*.json")]
    assert metadata["legal"]["legal_clock"].startswith("action lapses 2027-02-26")
    assert "action lapses 2027-02-26" in markdown
    (folder / "evidence/attachments/R1-constat.pdf").write_bytes(CONSTAT + b"tampered")
    tampered = subprocess.run([SHA256SUM, "-c", "SHA256SUMS"], cwd=folder, capture_output=True, check=False)
    assert tampered.returncode != 0
