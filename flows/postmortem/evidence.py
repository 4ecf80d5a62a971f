"""The evidence bundle: what a lawyer or a platform asks for, in one zip that proves its own integrity.

Inside one folder named after the incident: the incident as JSON (every fact the report is built from),
the report in HTML and Markdown, each review's evidence exactly as captured (its text, byte for byte, so
its SHA-256 is the one recorded at capture) with its metadata, and `SHA256SUMS` listing every other file,
so that `sha256sum -c SHA256SUMS` verifies the unzipped folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from flows.postmortem.facts import IncidentRecord, ReviewFact

MANIFEST = "SHA256SUMS"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def incident_document(record: IncidentRecord) -> dict[str, Any]:
    """The record as JSON-ready data: instants in ISO 8601 UTC, durations in seconds."""
    return _plain(dataclasses.asdict(record))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def safe_name(text: str) -> str:
    """A file name from outside words (a review id): letters, digits, dot, dash and underscore only."""
    return _UNSAFE.sub("_", text).strip("._")[:80] or "unnamed"


def evidence_files(review: ReviewFact) -> dict[str, bytes]:
    """The evidence of one review case: its text exactly as captured, and what is known about it."""
    stem = f"evidence/{review.label}-{safe_name(review.platform)}-{safe_name(review.review_id)}"
    text = review.evidence_text.encode("utf-8")
    metadata = {
        "case": review.label,
        "platform": review.platform,
        "review_id": review.review_id,
        "url": review.url,
        "evidence_url": review.evidence_url,
        "author": review.author,
        "stars": review.stars,
        "captured_at": review.evidence_captured_at.astimezone(UTC).isoformat(),
        "sha256_at_capture": review.evidence_sha256,
        "sha256_matches_capture": hashlib.sha256(text).hexdigest() == review.evidence_sha256,
        "was_customer": review.was_customer,
        "outcome": review.outcome,
        "current_text_differs": review.text != review.evidence_text,
        "legal": dict(next((a.details for a in review.avenues if a.name == "legal"), ())),
    }
    return {f"{stem}.txt": text, f"{stem}.json": _json(metadata)}


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def evidence_bundle(
    record: IncidentRecord,
    *,
    html: str,
    markdown: str,
    at: datetime,
    attachments: Mapping[str, bytes] | None = None,
) -> bytes:
    """The zip, as bytes. Entries carry `at` as their date, so the same inputs give the same bytes.

    `attachments`: files attached to the cases' evidence (screenshots, a bailiff's report), by path.
    """
    files: dict[str, bytes] = {
        "incident.json": _json(incident_document(record)),
        "postmortem.html": html.encode("utf-8"),
        "postmortem.md": markdown.encode("utf-8"),
    }
    for review in record.reviews:
        files.update(evidence_files(review))
    files.update(attachments or {})
    files[MANIFEST] = "".join(
        f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in sorted(files.items())
    ).encode("utf-8")
    folder = safe_name(record.ref)
    stamp = at.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, content in files.items():
            entry = zipfile.ZipInfo(f"{folder}/{name}", date_time=max(stamp, (1980, 1, 1, 0, 0, 0)))
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(entry, content)
    return buffer.getvalue()
