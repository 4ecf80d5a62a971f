"""The readiness audit as a scheduled flow: audit the kit, and tell its owner what to fix.

One message a day at most: the outbox key carries the owner's local date, so a schedule that runs every
hour, or a run started by hand, never repeats the day's message. A green kit sends nothing.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from prefect import flow, task
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.loading import require_kit
from flows.kit.schema import Kit
from flows.prepare.audit import AuditReport, audit, take_snapshot
from flows.prepare.findings import FindingSeverity
from flows.runtime import current_runtime
from models import Notification, Person, transaction
from notifications import dispatch_due, enqueue, route_for

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


@task(name="audit-the-kit")
def audit_the_kit() -> int:
    """Audit the kit in force and queue its findings for the owner (one transaction); the score."""
    runtime = current_runtime()
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        kit, report = audit_now(session, now=now, channels=frozenset(runtime.available_channels))
        tell_the_owner(session, kit=kit, report=report, now=now, channels=runtime.available_channels)
        return report.score


@task(name="send-the-audit")
def send_the_audit() -> dict[str, int]:
    """Send what the outbox holds that is due (the owner's message among it)."""
    runtime = current_runtime()
    return dict(vars(dispatch_due(runtime.sessions, channels=runtime.channels, now=runtime.now())))


@flow(name="readiness-audit")
def readiness_audit() -> int:
    """Audit the crisis kit and tell its owner what to fix; the readiness score, 0–100.

    Meant for a daily schedule (server mode), e.g. cron "0 7 * * 1-5" in Europe/Paris: weekday mornings,
    before the team starts, so the owner reads it with their first coffee.
    """
    score = audit_the_kit()
    send_the_audit()
    return score
