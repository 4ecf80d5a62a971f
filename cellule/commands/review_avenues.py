"""`cellule review contacted/report/decision/legal/edited/outcome/abandon`: the platform and legal avenues,
and how the case ended. Registered on the `review` sub-app by `cellule.commands.reviews`.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands import review_support as support
from cellule.commands.common import fail, reader_zone
from cellule.commands.incidents import ZoneOption
from cellule.commands.review_support import As, At, Case, Done, Ref
from cellule.settings import get_settings
from flows.reviews import (
    abandon_avenue,
    record_decision,
    record_legal,
    record_outcome,
    record_reviewer_contacted,
    report_review,
    update_review_text,
)
from flows.reviews.platform_report import reportable_from
from flows.runtime import Runtime
from models import AvenueStatus, ReviewOutcome


class Avenue(StrEnum):
    REPORT = "report"
    LEGAL = "legal"
    REPLY = "reply"


class LegalStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def contacted(ref: Ref, case: Case, at: At = None, tz: ZoneOption = None, as_: As = None) -> None:
    """Record that you contacted the reviewer through the platform (some reasons need it before a report)."""

    def act(session: Session, runtime: Runtime) -> Done:
        found, now = support.case(session, ref, case), runtime.now()
        when = support.when(at, tz, now)
        record_reviewer_contacted(
            session, case=found, contacted_at=when, at=now, actor=support.actor(session, as_)
        )
        possible = reportable_from(when).astimezone(reader_zone(tz)).strftime("%Y-%m-%d %H:%M")
        return Done(
            found.incident_id, Text(f"✓ Contact recorded: you may report it from {possible}.", style="green")
        )

    support.run(act)


def report(
    ref: Ref,
    case: Case,
    reason: Annotated[str, typer.Option(help="The platform's reason: `cellule review reasons google`.")],
    precondition_met_at: Annotated[
        str | None, typer.Option(help="When you contacted the reviewer, for reasons that need it first.")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="The platform's reference for your report.")] = None,
    tz: ZoneOption = None,
    as_: As = None,
) -> None:
    """Record that you reported the review in the platform's tool (platforms offer no API for it)."""

    def act(session: Session, runtime: Runtime) -> Done:
        found, now = support.case(session, ref, case), runtime.now()
        done = report_review(
            session,
            case=found,
            reason=reason,
            at=now,
            actor=support.actor(session, as_),
            platform_reference=reference,
            precondition_met_at=support.when(precondition_met_at, tz, now) if precondition_met_at else None,
            decision_within=timedelta(days=get_settings().review_decision_days),
        )
        due = done.decision_due_at.astimezone(reader_zone(tz)) if done.decision_due_at else now
        said = f"✓ Reported to {found.platform} as {done.reason}; decision expected by {due:%Y-%m-%d %H:%M}."
        return Done(found.incident_id, Text(said, style="green"))

    support.run(act)


def decision(
    ref: Ref,
    case: Case,
    removed: Annotated[
        bool | None, typer.Option("--removed/--kept", help="What the platform decided.")
    ] = None,
    at: At = None,
    appeal_until: Annotated[str | None, typer.Option(help="Until when the decision can be appealed.")] = None,
    reference: Annotated[str | None, typer.Option(help="The platform's reference, if it gave one.")] = None,
    tz: ZoneOption = None,
    as_: As = None,
) -> None:
    """Record the platform's decision on your report: --removed or --kept."""
    if removed is None:
        fail("Say what the platform decided: --removed or --kept.", code=2)

    def act(session: Session, runtime: Runtime) -> Done:
        found, now = support.case(session, ref, case), runtime.now()
        verdict = "removed" if removed else "kept"
        record_decision(
            session,
            case=found,
            decision=verdict,
            decided_at=support.when(at, tz, now),
            at=now,
            actor=support.actor(session, as_),
            appeal_deadline=support.when(appeal_until, tz, now) if appeal_until else None,
            platform_reference=reference,
        )
        return Done(found.incident_id, Text(f"✓ {found.platform} decided: {verdict}.", style="green"))

    support.run(act)


def legal(
    ref: Ref,
    case: Case,
    counsel: Annotated[str | None, typer.Option(help="The lawyer who takes the case.")] = None,
    insurer: Annotated[
        str | None, typer.Option(help="The legal-protection insurer, if it covers it.")
    ] = None,
    reference: Annotated[str | None, typer.Option(help="Their reference for the file.")] = None,
    next_date: Annotated[str | None, typer.Option(help="The next date (hearing, deadline, call).")] = None,
    next_step: Annotated[str | None, typer.Option(help="What happens next.")] = None,
    status: Annotated[
        LegalStatus | None, typer.Option(help="Where it stands; succeeded/failed ends it.")
    ] = None,
    outcome: Annotated[
        str | None, typer.Option(help="How it ended (with --status succeeded or failed).")
    ] = None,
    tz: ZoneOption = None,
    as_: As = None,
) -> None:
    """Open the legal avenue, or bring it up to date; an outcome ends it."""

    def act(session: Session, runtime: Runtime) -> Done:
        found, now = support.case(session, ref, case), runtime.now()
        done = record_legal(
            session,
            case=found,
            at=now,
            actor=support.actor(session, as_),
            counsel=counsel,
            insurer=insurer,
            case_reference=reference,
            next_date=support.when(next_date, tz, now) if next_date else None,
            next_step=next_step,
            status=AvenueStatus(status.value) if status else None,
            outcome=outcome,
        )
        return Done(found.incident_id, Text(f"✓ Legal avenue: {done.status}.", style="green"))

    support.run(act)


def outcome(
    ref: Ref,
    case: Case,
    removed: Annotated[bool, typer.Option("--removed", help="The review is gone.")] = False,
    kept: Annotated[bool, typer.Option("--kept", help="The review stays as it was.")] = False,
    edited: Annotated[bool, typer.Option("--edited", help="Its author changed it.")] = False,
    rating_before: Annotated[float | None, typer.Option(help="The place's average rating before.")] = None,
    rating_after: Annotated[float | None, typer.Option(help="The place's average rating now.")] = None,
    as_: As = None,
) -> None:
    """Record what became of the review, and the average rating before and after."""
    chosen = [
        o
        for o, flag in (
            (ReviewOutcome.REMOVED, removed),
            (ReviewOutcome.KEPT, kept),
            (ReviewOutcome.EDITED, edited),
        )
        if flag
    ]
    if len(chosen) != 1:
        fail("Say what became of the review: one of --removed, --kept or --edited.", code=2)

    def act(session: Session, runtime: Runtime) -> Done:
        found = support.case(session, ref, case)
        done = record_outcome(
            session,
            case=found,
            outcome=chosen[0],
            at=runtime.now(),
            actor=support.actor(session, as_),
            rating_before=rating_before,
            rating_after=rating_after,
        )
        ratings = (
            f"; rating {done.rating_before} → {done.rating_after}" if done.rating_after is not None else ""
        )
        return Done(found.incident_id, Text(f"✓ The review is {done.outcome}{ratings}.", style="green"))

    support.run(act)


def abandon(
    ref: Ref,
    case: Case,
    avenue: Annotated[Avenue, typer.Option(help="Which avenue you give up.")],
    reason: Annotated[str, typer.Option(help="Why: the post-mortem reads it.")],
    as_: As = None,
) -> None:
    """Give up one avenue, saying why."""

    def act(session: Session, runtime: Runtime) -> Done:
        found = support.case(session, ref, case)
        abandon_avenue(
            session,
            case=found,
            avenue=avenue.value,
            reason=reason,
            at=runtime.now(),
            actor=support.actor(session, as_),
        )
        return Done(found.incident_id, Text(f"✓ The {avenue} avenue is abandoned.", style="green"))

    support.run(act)


def edited(
    ref: Ref,
    case: Case,
    text: Annotated[str | None, typer.Option(help="The review as it reads now.")] = None,
    file: Annotated[Path | None, typer.Option(help="…or read it from this UTF-8 file.")] = None,
    rating: Annotated[int | None, typer.Option(help="Its star rating now, 1 to 5.")] = None,
    at: At = None,
    tz: ZoneOption = None,
    as_: As = None,
) -> None:
    """The author changed the review: record how it reads now (the evidence stays as captured)."""
    if (text is None) == (file is None):
        fail("Give the review's new text with --text, or a file with --file (one of them).", code=2)
    if text is not None:
        body = text
    else:
        assert file is not None
        body = support.read_text_file(file, what="review")

    def act(session: Session, runtime: Runtime) -> Done:
        found, now = support.case(session, ref, case), runtime.now()
        update_review_text(
            session,
            case=found,
            text=body,
            rating=rating,
            edited_at=support.when(at, tz, now),
            at=now,
            actor=support.actor(session, as_),
        )
        said = "✓ The review's new text is recorded; the evidence keeps the text as first captured."
        return Done(found.incident_id, Text(said, style="green"))

    support.run(act)
