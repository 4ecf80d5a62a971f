"""How a case ended: the review removed, kept or edited, the rating before and after, and each avenue's time.

Every avenue ends one of three ways — it succeeded, it failed, or it was abandoned with a reason — and
`case_outcome` gives the facts a report needs (how long each avenue took, whether the reply went out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.reviews.avenues import AVENUES, Avenues, ensure_avenues
from flows.reviews.cases import case_label, cases_of, record_case_event
from flows.reviews.errors import ReviewError
from models import AvenueStatus, Draft, DraftStatus, Incident, ReviewCase, ReviewOutcome, TimelineEvent
from notifications.render import clean_text

ABANDONED = "avenue_abandoned"  # the timeline event that says when an avenue was given up, and why
MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class AvenueFacts:
    status: AvenueStatus
    started_at: datetime | None
    ended_at: datetime | None  # concluded or abandoned

    @property
    def took(self) -> timedelta | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at


@dataclass(frozen=True)
class CaseOutcome:
    """The facts about one case that reports and the post-mortem read."""

    case_id: int
    label: str
    platform: str
    review_id: str
    outcome: ReviewOutcome
    outcome_at: datetime | None
    rating_before: float | None
    rating_after: float | None
    reply_published: bool
    reply_published_at: datetime | None
    report: AvenueFacts
    legal: AvenueFacts
    reply: AvenueFacts

    @property
    def rating_change(self) -> float | None:
        if self.rating_before is None or self.rating_after is None:
            return None
        return round(self.rating_after - self.rating_before, 2)

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready values: times in ISO 8601, durations in seconds."""

        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        def avenue(facts: AvenueFacts) -> dict[str, object]:
            took = facts.took
            return {
                "status": facts.status.value,
                "started_at": iso(facts.started_at),
                "ended_at": iso(facts.ended_at),
                "took_seconds": took.total_seconds() if took is not None else None,
            }

        return {
            "case": self.label,
            "platform": self.platform,
            "review_id": self.review_id,
            "outcome": self.outcome.value,
            "outcome_at": iso(self.outcome_at),
            "rating_before": self.rating_before,
            "rating_after": self.rating_after,
            "rating_change": self.rating_change,
            "reply_published": self.reply_published,
            "reply_published_at": iso(self.reply_published_at),
            "avenues": {
                "report": avenue(self.report),
                "legal": avenue(self.legal),
                "reply": avenue(self.reply),
            },
        }


def record_outcome(
    session: Session,
    *,
    case: ReviewCase,
    outcome: ReviewOutcome,
    at: datetime,
    actor: str | None = None,
    rating_before: float | None = None,
    rating_after: float | None = None,
) -> ReviewCase:
    """Record what became of the review and the place's average rating before and after."""
    if outcome == ReviewOutcome.PENDING:
        raise ReviewError("An outcome is removed, kept or edited.")
    for rating in (rating_before, rating_after):
        if rating is not None and not 0 <= rating <= 5:
            raise ReviewError(f"An average rating is between 0 and 5, not {rating}.")
    old: dict[str, object] = {}
    new: dict[str, object] = {}
    for field, value in (
        ("outcome", outcome),
        ("rating_before", rating_before),
        ("rating_after", rating_after),
    ):
        if value is not None and value != getattr(case, field):
            current = getattr(case, field)
            old[field] = current.value if isinstance(current, ReviewOutcome) else current
            new[field] = value.value if isinstance(value, ReviewOutcome) else value
            setattr(case, field, value)
    if not new:
        raise ReviewError("That outcome is already recorded: nothing changed.")
    if "outcome" in new:
        case.outcome_at = at
    record_case_event(
        session,
        case=case,
        at=at,
        actor=actor,
        kind="review_outcome",
        summary=f"the review is {case.outcome}"
        + (f"; rating {case.rating_before} → {case.rating_after}" if case.rating_after is not None else ""),
        old=old,
        new=new,
    )
    return case


def abandon_avenue(
    session: Session, *, case: ReviewCase, avenue: str, reason: str, at: datetime, actor: str | None = None
) -> None:
    """Give up one avenue, with the reason (the exit criteria want each avenue concluded or abandoned)."""
    if avenue not in AVENUES:
        raise ReviewError(f"An avenue is one of {', '.join(AVENUES)}, not {avenue!r}.")
    reason = clean_text(reason).strip()
    if not reason:
        raise ReviewError("Say why the avenue is abandoned (--reason): the post-mortem reads it.")
    if len(reason) > MAX_REASON_CHARS:
        raise ReviewError(f"The reason is too long (at most {MAX_REASON_CHARS:,} characters).")
    row = getattr(ensure_avenues(session, case=case, for_update=True), avenue)
    if row.status in AvenueStatus.concluded_statuses():
        raise ReviewError(f"The {avenue} avenue is {row.status} already.")
    old_status, row.status, row.abandoned_reason = row.status, AvenueStatus.ABANDONED, reason
    if avenue == "reply" and row.draft_id is not None:
        draft = session.get_one(Draft, row.draft_id)
        if draft.status != DraftStatus.PUBLISHED:
            draft.status = DraftStatus.WITHDRAWN  # nobody is asked to approve a reply that will not go out
    record_case_event(
        session,
        case=case,
        at=at,
        actor=actor,
        kind=ABANDONED,
        summary=f"{avenue} avenue abandoned: {reason}",
        old={"avenue": avenue, "status": old_status.value},
        new={"avenue": avenue, "status": AvenueStatus.ABANDONED.value, "reason": reason},
    )


def case_outcome(session: Session, case: ReviewCase) -> CaseOutcome:
    """What became of the case and of each avenue, with the time each took."""
    rows = ensure_avenues(session, case=case)
    abandoned = _abandoned_at(session, case)
    reply_started = None
    if rows.reply.draft_id is not None:
        reply_started = session.get_one(Draft, rows.reply.draft_id).created_at
    return CaseOutcome(
        case_id=case.id,
        label=case_label(session, case),
        platform=case.platform,
        review_id=case.review_id,
        outcome=case.outcome,
        outcome_at=case.outcome_at,
        rating_before=case.rating_before,
        rating_after=case.rating_after,
        reply_published=rows.reply.published_at is not None,
        reply_published_at=rows.reply.published_at,
        report=_facts(rows, "report", _report_start(rows), rows.report.decided_at, abandoned),
        legal=_facts(rows, "legal", rows.legal.opened_at, rows.legal.concluded_at, abandoned),
        reply=_facts(rows, "reply", reply_started, rows.reply.published_at, abandoned),
    )


def incident_outcomes(session: Session, *, incident: Incident) -> list[CaseOutcome]:
    """Every case of the incident, as `case_outcome` tells it."""
    return [case_outcome(session, case) for case in cases_of(session, incident=incident)]


def _report_start(rows: Avenues) -> datetime | None:
    # The avenue starts when the business first acts: contacting the reviewer, or else the report itself.
    moments = [m for m in (rows.report.precondition_met_at, rows.report.reported_at) if m is not None]
    return min(moments, default=None)


def _facts(
    rows: Avenues,
    avenue: str,
    started: datetime | None,
    ended: datetime | None,
    abandoned: dict[str, datetime],
) -> AvenueFacts:
    status = getattr(rows, avenue).status
    if status == AvenueStatus.ABANDONED:
        ended = abandoned.get(avenue)
    return AvenueFacts(status, started, ended)


def _abandoned_at(session: Session, case: ReviewCase) -> dict[str, datetime]:
    """When each avenue of the case was abandoned, from the timeline (the avenue rows keep only why)."""
    events = session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == case.incident_id, TimelineEvent.kind == ABANDONED)
        .order_by(TimelineEvent.id)
    )
    return {
        str(e.new["avenue"]): e.at
        for e in events
        if e.new and e.new.get("case_id") == case.id and "avenue" in e.new
    }
