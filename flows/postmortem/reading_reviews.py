"""Read an incident's review cases and their three avenues, for the post-mortem and the evidence bundle."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.postmortem.facts import AvenueFact, ReviewFact
from flows.reviews.legal_clock import ClockReading, clock_readings, say_clock
from flows.runtime import NoRuntime, current_runtime
from models import AvenueStatus, LegalAction, PlatformReport, PublicReply, ReviewCase, utc_now

# What each avenue shows, in order: the fields a reader needs to know where it stands and why.
_REPORT_FIELDS = ("reason", "platform_reference", "decision", "abandoned_reason")
_LEGAL_FIELDS = ("counsel", "insurer", "case_reference", "next_step", "outcome", "abandoned_reason")
_REPLY_FIELDS = ("connector", "published_url", "published_by", "last_error", "abandoned_reason")


def read_reviews(session: Session, *, incident_id: int) -> tuple[tuple[ReviewFact, ...], list[PublicReply]]:
    """The incident's review cases (R1, R2… in opening order) and their public-reply rows."""
    cases = session.scalars(
        select(ReviewCase).where(ReviewCase.incident_id == incident_id).order_by(ReviewCase.id)
    ).all()
    ids = [c.id for c in cases]
    reports = {
        r.case_id: r for r in session.scalars(select(PlatformReport).where(PlatformReport.case_id.in_(ids)))
    }
    legal = {r.case_id: r for r in session.scalars(select(LegalAction).where(LegalAction.case_id.in_(ids)))}
    replies = {r.case_id: r for r in session.scalars(select(PublicReply).where(PublicReply.case_id.in_(ids)))}
    clocks = clock_readings(session, case_ids=ids, now=_reading_time())
    facts = tuple(
        ReviewFact(
            label=f"R{n}",  # the same labels as `cellule review`: rank by id, cases are never deleted
            platform=c.platform,
            review_id=c.review_id,
            url=c.url,
            author=c.author_display_name,
            stars=c.star_rating,
            text=c.text,
            was_customer=c.was_customer.value,
            evidence_text=c.evidence_text,
            evidence_sha256=c.evidence_sha256,
            evidence_captured_at=c.evidence_captured_at,
            evidence_url=c.evidence_url,
            rating_before=c.rating_before,
            rating_after=c.rating_after,
            outcome=c.outcome.value,
            outcome_at=c.outcome_at,
            opened_at=c.opened_at,
            avenues=_with_clock(
                _avenues(reports.get(c.id), legal.get(c.id), replies.get(c.id)), clocks.get(c.id)
            ),
        )
        for n, c in enumerate(cases, start=1)
    )
    return facts, list(replies.values())


def _with_clock(avenues: tuple[AvenueFact, ...], clock: ClockReading | None) -> tuple[AvenueFact, ...]:
    """The legal avenue says when its action lapses, and whether that date has passed."""
    if clock is None:
        return avenues
    return tuple(
        replace(a, details=(*a.details, ("legal_clock", say_clock(clock)), ("rule", clock.rule)))
        if a.name == "legal"
        else a
        for a in avenues
    )


def _reading_time() -> datetime:
    # The runtime's clock where there is one (a drill's report reads its simulated time), else the wall's.
    try:
        return current_runtime().now()
    except NoRuntime:
        return utc_now()


def _avenues(
    report: PlatformReport | None, legal: LegalAction | None, reply: PublicReply | None
) -> tuple[AvenueFact, ...]:
    return (
        _avenue("report", report, "reported_at", "decided_at", _REPORT_FIELDS),
        _avenue("legal", legal, "opened_at", "concluded_at", _LEGAL_FIELDS),
        _avenue("reply", reply, None, "published_at", _REPLY_FIELDS),
    )


def _avenue(name: str, row: Any, started: str | None, concluded: str, fields: tuple[str, ...]) -> AvenueFact:
    if row is None:  # an avenue never opened is "not started", as the review commands show it
        return AvenueFact(name, AvenueStatus.NOT_STARTED.value, None, None, ())
    details = ((f, getattr(row, f)) for f in fields)
    return AvenueFact(
        name=name,
        status=row.status.value,
        started_at=getattr(row, started) if started else None,
        concluded_at=getattr(row, concluded),
        details=tuple((f, str(v)) for f, v in details if v not in (None, "")),
    )
