"""The evidence file of a review case: what counsel needs, what is still missing, and the files attached.

A court wants the page as it was: its address, when it was seen, the author as shown, the words and their
fingerprint, the platform's own ids, and ideally screenshots or a bailiff's report (constat de commissaire
de justice). Files are kept byte for byte with their SHA-256, and go into the evidence bundle, whose
`SHA256SUMS` lists them for `sha256sum -c`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.reviews.cases import case_label, cases_of, evidence_intact, record_case_event
from flows.reviews.errors import ReviewError
from models import EvidenceFile, Incident, ReviewCase
from notifications.render import clean_text

KINDS = ("screenshot", "bailiff_report", "other")
MAX_EVIDENCE_BYTES = 25_000_000  # a long bailiff's report with its photographs
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# (what, {locale: how a lawyer names it})
CHECKLIST = (
    ("url", {"en": "the review's address (URL)", "fr": "l'adresse de l'avis (URL)"}),
    ("seen_at", {"en": "date and time seen", "fr": "date et heure de constatation"}),
    ("author", {"en": "the author as shown", "fr": "l'auteur tel qu'affiché"}),
    ("text", {"en": "the text and its SHA-256", "fr": "le texte et son empreinte SHA-256"}),
    ("platform_ids", {"en": "the platform's own ids", "fr": "les identifiants de la plateforme"}),
    (
        "files",
        {
            "en": "screenshots or a bailiff's report, with their hashes",
            "fr": "captures d'écran ou constat de commissaire de justice, avec leurs empreintes",
        },
    ),
)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: dict[str, str]
    present: bool
    value: str | None

    def said(self, locale: str) -> str:
        return self.label.get(locale, self.label["en"])


def evidence_checklist(session: Session, *, case: ReviewCase) -> list[ChecklistItem]:
    """What counsel needs for this case, each present or missing, with what we hold."""
    files = attached_files(session, case=case)
    held: dict[str, str | None] = {
        "url": case.evidence_url or case.url,
        "seen_at": case.evidence_captured_at.isoformat(),
        "author": case.author_display_name,
        "text": case.evidence_sha256 if evidence_intact(case) and case.evidence_text.strip() else None,
        # Without the platform's id the case is named after our own signal: not what a court can check.
        "platform_ids": None if case.review_id.startswith("signal:") else f"{case.platform} {case.review_id}",
        "files": ", ".join(f"{f.name} ({f.sha256[:12]}…)" for f in files) or None,
    }
    return [ChecklistItem(key, label, bool(held[key]), held[key]) for key, label in CHECKLIST]


def missing_evidence(session: Session, *, case: ReviewCase, locale: str) -> list[str]:
    """The checklist's missing items, named in `locale`."""
    return [item.said(locale) for item in evidence_checklist(session, case=case) if not item.present]


def attach_evidence(
    session: Session,
    *,
    case: ReviewCase,
    name: str,
    content: bytes,
    kind: str,
    at: datetime,
    actor: str | None = None,
) -> EvidenceFile:
    """Keep `content` in the case's evidence file under `name`, with its SHA-256; on the timeline.

    Attaching the same bytes under the same name again changes nothing; other bytes under a name already
    used are refused (evidence is never overwritten).
    """
    if kind not in KINDS:
        raise ReviewError(f"The kind of evidence is one of {', '.join(KINDS)}, not {kind!r}.")
    if not content:
        raise ReviewError("The file is empty: nothing to attach.")
    if len(content) > MAX_EVIDENCE_BYTES:
        raise ReviewError(f"The file is over {MAX_EVIDENCE_BYTES // 1_000_000} MB: attach a smaller export.")
    safe = _UNSAFE.sub("_", clean_text(name)).strip("._")[:120] or "evidence"
    digest = hashlib.sha256(content).hexdigest()
    existing = session.scalars(
        select(EvidenceFile).where(EvidenceFile.case_id == case.id, EvidenceFile.name == safe)
    ).one_or_none()
    if existing is not None:
        if existing.sha256 == digest:
            return existing
        raise ReviewError(f"{safe} is already attached with other content: give this file another name.")
    attached = EvidenceFile(
        case_id=case.id,
        name=safe,
        kind=kind,
        sha256=digest,
        size=len(content),
        content=content,
        attached_by=actor,
        attached_at=at,
    )
    session.add(attached)
    session.flush()
    record_case_event(
        session,
        case=case,
        at=at,
        actor=actor,
        kind="evidence_attached",
        summary=f"{kind.replace('_', ' ')} {safe} attached to the evidence ({len(content):,} bytes, "
        f"SHA-256 {digest})",
        new={"file": safe, "kind": kind, "sha256": digest, "size": len(content)},
    )
    return attached


def attached_files(session: Session, *, case: ReviewCase) -> list[EvidenceFile]:
    """The files attached to the case, in the order they were attached."""
    return list(
        session.scalars(select(EvidenceFile).where(EvidenceFile.case_id == case.id).order_by(EvidenceFile.id))
    )


def bundle_attachments(session: Session, *, incident_id: int) -> dict[str, bytes]:
    """Every attached file of the incident's cases, by its path in the evidence bundle."""
    files = {}
    for case in cases_of(session, incident=session.get_one(Incident, incident_id)):
        label = case_label(session, case)
        for attached in attached_files(session, case=case):
            files[f"evidence/attachments/{label}-{attached.name}"] = attached.content
    return files
