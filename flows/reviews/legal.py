"""Avenue 2: legal — counsel, often through a legal-protection insurer covering e-reputation.

It rarely gets a review removed faster than the platform does, but it builds the evidence file (the case's
evidence snapshot is what counsel receives). Tracked like the others: who holds it, their reference, the
next date and step, and how it ended.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flows.reviews.avenues import ensure_avenues
from flows.reviews.cases import record_case_event
from flows.reviews.errors import ReviewError
from models import AvenueStatus, LegalAction, ReviewCase
from notifications.render import clean_text

SETTABLE = (AvenueStatus.IN_PROGRESS, AvenueStatus.WAITING, AvenueStatus.SUCCEEDED, AvenueStatus.FAILED)
_TEXT_LIMITS = {"counsel": 200, "insurer": 200, "case_reference": 200, "next_step": 2000, "outcome": 4000}


def record_legal(
    session: Session,
    *,
    case: ReviewCase,
    at: datetime,
    actor: str | None = None,
    counsel: str | None = None,
    insurer: str | None = None,
    case_reference: str | None = None,
    next_date: datetime | None = None,
    next_step: str | None = None,
    status: AvenueStatus | None = None,
    outcome: str | None = None,
) -> LegalAction:
    """Open the legal avenue or bring it up to date; an outcome concludes it (succeeded or failed)."""
    legal = ensure_avenues(session, case=case, for_update=True).legal
    if legal.status in AvenueStatus.concluded_statuses():
        raise ReviewError(f"The legal avenue is {legal.status} already: nothing more is recorded on it.")
    concluding = _check_the_step(status, outcome)
    texts = {"counsel": counsel, "insurer": insurer, "case_reference": case_reference, "next_step": next_step}
    old, new = _apply_texts(legal, {**texts, "outcome": outcome})
    if next_date is not None and next_date != legal.next_date:
        old["next_date"], new["next_date"] = _data(legal.next_date), next_date.isoformat()
        legal.next_date = next_date
    opening = legal.status == AvenueStatus.NOT_STARTED
    if opening and not (legal.counsel or legal.insurer):
        raise ReviewError(
            "Name who takes the case: the counsel (--counsel) or the legal-protection insurer (--insurer)."
        )
    target = status or (AvenueStatus.IN_PROGRESS if opening else legal.status)
    if target != legal.status:
        old["status"], new["status"] = legal.status.value, target.value
        legal.status = target
    if opening:
        legal.opened_at = at
    if concluding:
        legal.concluded_at = at
    if not new:
        raise ReviewError("Nothing new to record on the legal avenue.")
    record_case_event(
        session,
        case=case,
        at=at,
        actor=actor,
        kind="legal",
        summary=_summary(legal, new, opening=opening),
        old=old,
        new=new,
    )
    return legal


def _check_the_step(status: AvenueStatus | None, outcome: str | None) -> bool:
    """A status the avenue may take, and an outcome exactly when it concludes; whether it concludes."""
    if status is not None and status not in SETTABLE:
        raise ReviewError(
            f"The legal avenue's status is one of {', '.join(SETTABLE)}; abandon it with a reason."
        )
    concluding = status in AvenueStatus.concluded_statuses()
    if outcome is not None and not concluding:
        raise ReviewError(
            "An outcome concludes the avenue: say how it ended with --status succeeded or failed."
        )
    if concluding and not (outcome or "").strip():
        raise ReviewError("Say what came of it (--outcome): the post-mortem reads it.")
    return concluding


def _apply_texts(
    legal: LegalAction, texts: dict[str, str | None]
) -> tuple[dict[str, object], dict[str, object]]:
    """Set each text given (cleaned and capped) that differs from the stored one; the old and new values."""
    old: dict[str, object] = {}
    new: dict[str, object] = {}
    for field, value in texts.items():
        if value is None:
            continue
        cleaned = _clean(field, value)
        if cleaned != getattr(legal, field):
            old[field], new[field] = getattr(legal, field), cleaned
            setattr(legal, field, cleaned)
    return old, new


def _clean(field: str, value: str) -> str | None:
    cleaned = clean_text(value).strip() or None
    if cleaned is not None and len(cleaned) > _TEXT_LIMITS[field]:
        raise ReviewError(
            f"{field.replace('_', ' ')} is too long (at most {_TEXT_LIMITS[field]:,} characters)."
        )
    return cleaned


def _summary(legal: LegalAction, changed: dict[str, object], *, opening: bool) -> str:
    who = legal.counsel or legal.insurer
    if legal.status in AvenueStatus.concluded_statuses():
        return f"legal avenue {legal.status} ({who}): {legal.outcome}"
    if opening:
        return f"legal avenue opened with {who}" + (
            f", reference {legal.case_reference}" if legal.case_reference else ""
        )
    return f"legal avenue updated ({', '.join(sorted(changed))})"


def _data(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
