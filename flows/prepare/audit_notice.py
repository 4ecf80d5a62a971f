"""The readiness audit, told to the kit's owner: the kit in force audited now, and the findings queued.

One message a day at most: the outbox key carries the owner's local date, so a schedule that runs every
hour, or an audit started by hand, never repeats the day's message. A green kit sends nothing. The
scheduled `readiness_audit` flow (`readiness.py`) and the `cellule audit` command both use these.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.loading import require_kit
from flows.kit.schema import Kit
from flows.prepare.audit import AuditReport, audit, take_snapshot
from flows.prepare.findings import FindingSeverity
from models import Notification, Person
from notifications import enqueue, route_for

MAX_FINDINGS_IN_MESSAGE = 15  # the rest are one `cellule audit` away


def audit_now(session: Session, *, now: datetime, channels: frozenset[str]) -> tuple[Kit, AuditReport]:
    """The kit in force and its audit, as of `now`."""
    kit = require_kit(session)
    return kit, audit(take_snapshot(session, kit=kit, now=now, channels=channels))


def audit_context(report: AuditReport, *, kit: Kit, locale: str, person_name: str) -> dict[str, object]:
    """Plain values for the owner's message, said in `locale`."""
    shown = report.findings[:MAX_FINDINGS_IN_MESSAGE]
    return {
        "kit_name": kit.kit.name,
        "person_name": person_name,
        "score": report.score,
        "breakdown": [{"category": c.value, "score": s} for c, s in report.breakdown.items()],
        "total": len(report.findings),
        "critical": report.count(FindingSeverity.CRITICAL),
        "findings": [f.as_context(locale) for f in shown],
        "more": len(report.findings) - len(shown),
    }


def tell_the_owner(
    session: Session, *, kit: Kit, report: AuditReport, now: datetime, channels: set[str]
) -> Notification | None:
    """Queue the findings for the kit's owner, once per day of theirs; None when there is nothing to fix."""
    if not report.findings:
        return None
    owner = session.scalars(select(Person).where(Person.key == kit.kit.owner)).one()
    day = now.astimezone(ZoneInfo(owner.timezone)).date()
    return enqueue(
        session,
        key=f"audit:{day.isoformat()}/owner/person:{owner.id}",
        template="readiness_audit",
        locale=owner.locale,
        context=audit_context(report, kit=kit, locale=owner.locale, person_name=owner.name),
        route=route_for(owner, available=channels),
        at=now,
        person_id=owner.id,
    )
