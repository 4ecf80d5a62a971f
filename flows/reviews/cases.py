"""Review cases: one per review (platform + review id), opened at intake with its evidence frozen.

A case opens as one row: the avenues' rows come when a person first acts on one (a review bombing opens
thousands of cases, and most of their avenues are never started one by one).

The evidence — the text as captured, its SHA-256, when and where it was captured — is written once when the
case opens and never touched again: the review's *current* text may change (authors edit reviews), the
evidence file for counsel may not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from flows.bulk import insert_ignoring_conflicts
from flows.reviews.errors import ReviewError
from flows.reviews.legal_policy import clock_row, legal_policy
from models import Incident, LegalClock, ReviewCase, ReviewOutcome, WasCustomer, record_event
from notifications.render import clean_text

MAX_REVIEW_CHARS = 20_000  # the intake's cap for any outside text
_PLACEHOLDER = re.compile(r"[\s.…_-]+")
_LABEL = re.compile(r"^[rR]?(\d{1,6})$")


def text_sha256(text: str) -> str:
    """The fingerprint of a text: SHA-256 of its UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def review_id_of(signal: Reviewed) -> str:
    """The platform's review id; without one, the signal's dedup key (the same review is the same signal)."""
    if signal.external_id and signal.external_id.strip():
        return signal.external_id.strip()
    return f"signal:{signal.dedup_key}"


class Reviewed(Protocol):
    """A stored signal a case is opened from: the `Signal` row, or intake's record of it."""

    @property
    def id(self) -> int: ...
    @property
    def platform(self) -> str: ...
    @property
    def external_id(self) -> str | None: ...
    @property
    def dedup_key(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def rating(self) -> int | None: ...
    @property
    def text(self) -> str: ...
    @property
    def observed_at(self) -> datetime: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def reported_by(self) -> str | None: ...


@dataclass(frozen=True)
class OpenedCase:
    case_id: int
    # The timeline event announcing it (kind, summary, actor, new), for the caller to record in its own
    # order; None: the case was already open (the same review, through another door).
    announcement: dict[str, Any] | None


def open_review_case(
    session: Session, *, signal: Reviewed, incident: Incident, at: datetime
) -> ReviewCase | None:
    """Open the case of a rated review, its evidence frozen; the case already open for it if there is one.

    A signal without a star rating is not a review (a post, an article): no case, `None`. Idempotent.
    """
    if signal.rating is None:
        return None
    [opened] = open_review_cases(session, reviews=[(signal, incident.id)], at=at)
    if opened.announcement is not None:
        record_event(session, incident=incident, at=at, **opened.announcement)
    return session.get_one(ReviewCase, opened.case_id)


def open_review_cases(
    session: Session, *, reviews: Sequence[tuple[Reviewed, int]], at: datetime
) -> list[OpenedCase]:
    """Open the case of each rated review (with its incident id) in one insert, evidence frozen now.

    Only the case row is written: its three avenues get their rows when someone first acts on one
    (`ensure_avenues`), and until then every reader shows them as not started. A review whose case is
    already open (platform + review id) keeps it, evidence as first captured: the unique constraint
    decides, so a concurrent intake of the same review through another door opens no second case.
    """
    rows = [_case_row(signal, incident_id, at) for signal, incident_id in reviews]
    if not rows:
        return []
    table = ReviewCase.__table__
    inserted = insert_ignoring_conflicts(
        session,
        table,
        rows,
        unique=["platform", "review_id"],
        returning=[table.c.id, table.c.platform, table.c.review_id],
    )
    opened = {(platform, review_id): id_ for id_, platform, review_id in inserted}
    labels = _labels(
        session, {(row["incident_id"], opened[_case_key(row)]) for row in rows if _case_key(row) in opened}
    )
    clocks = _start_legal_clocks(
        session,
        [
            (opened[_case_key(row)], row, signal)
            for (signal, _), row in zip(reviews, rows, strict=True)
            if _case_key(row) in opened
        ],
        at=at,
    )
    cases: list[OpenedCase] = []
    for (signal, _), row in zip(reviews, rows, strict=True):
        case_id = opened.pop(_case_key(row), None)
        if case_id is None:  # open already: the only conflict DO NOTHING skips is (platform, review id)
            existing = select(ReviewCase.id).where(
                ReviewCase.platform == row["platform"], ReviewCase.review_id == row["review_id"]
            )
            cases.append(OpenedCase(session.scalars(existing).one(), None))
            continue
        announcement = {
            "kind": "review_case_opened",
            "actor": signal.reported_by,
            "summary": f"{labels[case_id]}: {signal.platform} review {row['review_id']} ({signal.rating}★), "
            "evidence captured",
            "new": {
                "case_id": case_id,
                "platform": signal.platform,
                "review_id": row["review_id"],
                "evidence_sha256": row["evidence_sha256"],
                "evidence_captured_at": signal.received_at.isoformat(),
                "legal_lapses_at": clocks[case_id]["lapses_at"].isoformat(),
                "first_published_from": clocks[case_id]["published_source"],
            },
        }
        cases.append(OpenedCase(case_id, announcement))
    return cases


def _start_legal_clocks(
    session: Session, opened: list[tuple[int, dict[str, Any], Reviewed]], *, at: datetime
) -> dict[int, dict[str, Any]]:
    """Start each new case's legal clock in one insert, as `legal_clock.start_legal_clock` does one: from
    the platform's time when the report gave one, else from when we first saw the review."""
    if not opened:
        return {}
    policy = legal_policy(session)
    clocks = {
        case_id: clock_row(
            policy,
            case_id=case_id,
            posted_at=row["posted_at"],
            captured_at=row["evidence_captured_at"],
            from_platform=signal.observed_at != signal.received_at,  # intake's default is "when received"
            at=at,
        )
        for case_id, row, signal in opened
    }
    session.execute(insert(LegalClock.__table__), list(clocks.values()))
    return clocks


def _case_row(signal: Reviewed, incident_id: int, at: datetime) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "signal_id": signal.id,
        "platform": signal.platform,
        "review_id": review_id_of(signal),
        "url": signal.url,
        "author_display_name": signal.author,
        "anonymous": not signal.author,
        "star_rating": signal.rating,
        "text": signal.text,
        "posted_at": signal.observed_at,
        "was_customer": WasCustomer.UNKNOWN,
        "evidence_text": signal.text,
        "evidence_sha256": text_sha256(signal.text),
        "evidence_captured_at": signal.received_at,
        "evidence_url": signal.url,
        "outcome": ReviewOutcome.PENDING,
        "opened_at": at,
    }


def _case_key(row: dict[str, Any]) -> tuple[str, str]:
    return row["platform"], row["review_id"]


def _labels(session: Session, new: set[tuple[int, int]]) -> dict[int, str]:
    """`R<n>` of each new case (incident id, case id): its rank among its incident's cases, by id."""
    incidents = {incident_id for incident_id, _ in new}
    counts = session.execute(
        select(ReviewCase.incident_id, func.count())
        .where(ReviewCase.incident_id.in_(incidents))
        .group_by(ReviewCase.incident_id)
    )
    total = {incident_id: n for incident_id, n in counts}
    labels = {}
    for incident_id in incidents:
        mine = sorted(case_id for i, case_id in new if i == incident_id)
        before = total[incident_id] - len(mine)  # cases opened earlier have smaller ids
        labels |= {case_id: f"R{before + rank}" for rank, case_id in enumerate(mine, start=1)}
    return labels


def update_review_text(
    session: Session,
    *,
    case: ReviewCase,
    text: str,
    edited_at: datetime,
    at: datetime,
    rating: int | None = None,
    actor: str | None = None,
) -> ReviewCase:
    """Record the review as it reads now (its author edited it). The evidence stays as captured."""
    text = clean_text(text).strip()
    if not text:
        raise ReviewError("The review's new text is empty.")
    if _PLACEHOLDER.fullmatch(text):
        # A review may be only emoji or "!!!", but "…" is what a person types when they mean "the text here".
        raise ReviewError(f"The new text is only a placeholder ({text!r}): paste what the review says now.")
    if len(text) > MAX_REVIEW_CHARS:
        raise ReviewError(f"The review's text is too long ({len(text):,} characters; at most 20,000).")
    if rating is not None and not 1 <= rating <= 5:
        raise ReviewError(f"A star rating is between 1 and 5, not {rating}.")
    new_rating = case.star_rating if rating is None else rating
    if text == case.text and new_rating == case.star_rating:
        raise ReviewError("The review reads the same as recorded: nothing to update.")
    old = {"text_sha256": text_sha256(case.text), "star_rating": case.star_rating}
    case.text, case.star_rating, case.edited_at = text, new_rating, edited_at
    record_case_event(
        session,
        case=case,
        at=at,
        kind="review_edited",
        actor=actor,
        summary="the review now reads differently (the evidence stays as captured)",
        old=old,
        new={"text_sha256": text_sha256(text), "star_rating": new_rating, "edited_at": edited_at.isoformat()},
    )
    return case


def record_case_event(
    session: Session,
    *,
    case: ReviewCase,
    at: datetime,
    kind: str,
    summary: str,
    actor: str | None = None,
    old: dict[str, object] | None = None,
    new: dict[str, object] | None = None,
) -> None:
    """Append to the incident's timeline an event about one case, named by its label, with old and new."""
    record_event(
        session,
        incident=session.get_one(Incident, case.incident_id),
        at=at,
        kind=kind,
        actor=actor,
        summary=f"{case_label(session, case)}: {summary}",
        old=(old or {}) | {"case_id": case.id},
        new=(new or {}) | {"case_id": case.id},
    )


def evidence_intact(case: ReviewCase) -> bool:
    """Whether the evidence text still has the fingerprint taken when it was captured."""
    return text_sha256(case.evidence_text) == case.evidence_sha256


def cases_of(session: Session, *, incident: Incident) -> list[ReviewCase]:
    """The incident's review cases, in the order they were opened (R1, R2…)."""
    return list(
        session.scalars(
            select(ReviewCase).where(ReviewCase.incident_id == incident.id).order_by(ReviewCase.id)
        )
    )


def case_label(session: Session, case: ReviewCase) -> str:
    """`R1`, `R2`…: the case's place among its incident's cases (cases are never deleted)."""
    ids = session.scalars(
        select(ReviewCase.id).where(ReviewCase.incident_id == case.incident_id).order_by(ReviewCase.id)
    ).all()
    return f"R{list(ids).index(case.id) + 1}"


def find_case(session: Session, *, incident: Incident, label: str, for_update: bool = False) -> ReviewCase:
    """The incident's case named `R1` (or `1`), or by the platform's review id; `ReviewError` if none."""
    cases = cases_of(session, incident=incident)
    wanted = label.strip()
    match = _LABEL.match(wanted)
    found = None
    if match and 1 <= int(match.group(1)) <= len(cases):
        found = cases[int(match.group(1)) - 1]
    if found is None:
        found = next((c for c in cases if c.review_id == wanted), None)
    if found is None:
        known = ", ".join(f"R{i}" for i in range(1, len(cases) + 1)) or "none yet"
        raise ReviewError(f"{incident.ref} has no review case {label!r} (its cases: {known}).")
    if for_update:
        session.refresh(found, with_for_update=True)
    return found


def _find(session: Session, platform: str, review_id: str) -> ReviewCase | None:
    return session.scalars(
        select(ReviewCase).where(ReviewCase.platform == platform, ReviewCase.review_id == review_id)
    ).one_or_none()
