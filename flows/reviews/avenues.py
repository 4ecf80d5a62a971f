"""The three avenues of a review case, each its own row: report to the platform, legal, public reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AvenueStatus, LegalAction, PlatformReport, PublicReply, ReviewCase

AVENUES = ("report", "legal", "reply")  # in the handbook's order
Row = TypeVar("Row", PlatformReport, LegalAction, PublicReply)


@dataclass(frozen=True)
class Avenues:
    report: PlatformReport
    legal: LegalAction
    reply: PublicReply


def ensure_avenues(session: Session, *, case: ReviewCase, for_update: bool = False) -> Avenues:
    """The case's three avenue rows, created (not started) where missing; locked with `for_update`."""
    return Avenues(
        report=_one(session, PlatformReport, case, for_update, reminders_sent=0),
        legal=_one(session, LegalAction, case, for_update),
        reply=_one(session, PublicReply, case, for_update, attempts=0),
    )


def _one(session: Session, model: type[Row], case: ReviewCase, for_update: bool, **counters: int) -> Row:
    query = select(model).where(model.case_id == case.id)
    row = session.scalars(query.with_for_update() if for_update else query).one_or_none()
    if row is None:
        # Counters set here too: column defaults only apply at flush, and the row is read before that.
        row = model(case_id=case.id, status=AvenueStatus.NOT_STARTED, **counters)
        session.add(row)
        session.flush()
    return row
