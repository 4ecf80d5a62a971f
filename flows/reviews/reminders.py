"""A platform decision that is late: remind the cell, at the playbook's cadence and never more than capped.

Platforms take days and say nothing while they assess; a report nobody chases is forgotten. Chased by exit
on top on each pass (`flows.exit_on_top.flow.chase_platform_decisions`), and returns when its next reminder
falls due.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.cadence import next_due
from flows.kit.schema import Playbook, Reminders
from flows.reviews.cases import case_label
from flows.surround.cell import cell_members
from models import AvenueStatus, Incident, Person, PlatformReport, ReviewCase, record_event
from notifications import message_person

TEMPLATE = "review_decision_overdue"


def remind_overdue_platform_decisions(
    session: Session, *, incident: Incident, playbook: Playbook, available: set[str], now: datetime
) -> datetime | None:
    """For each report whose decision is past due, remind the incident's lead (or the whole cell)."""
    upcoming: list[datetime] = []
    for report, case in _awaiting_decision(session, incident=incident):
        when = _next_reminder(report, playbook.reminders)
        if when is not None and when <= now:
            report.reminders_sent += 1
            _remind(
                session,
                incident=incident,
                report=report,
                case=case,
                playbook=playbook,
                available=available,
                now=now,
            )
            when = _next_reminder(report, playbook.reminders)
        if when is not None:
            upcoming.append(when)
    return min(upcoming, default=None)


def _next_reminder(report: PlatformReport, cadence: Reminders) -> datetime | None:
    """From the day the platform's decision was due, every cadence, capped; None with no due date."""
    if report.decision_due_at is None:
        return None
    return next_due(
        start=report.decision_due_at, every=cadence.every, sent=report.reminders_sent, at_most=cadence.at_most
    )


def _awaiting_decision(session: Session, *, incident: Incident) -> list[tuple[PlatformReport, ReviewCase]]:
    rows = session.execute(
        select(PlatformReport, ReviewCase)
        .join(ReviewCase, ReviewCase.id == PlatformReport.case_id)
        .where(
            ReviewCase.incident_id == incident.id,
            PlatformReport.status == AvenueStatus.WAITING,
            PlatformReport.reported_at.is_not(None),
            PlatformReport.decided_at.is_(None),
        )
        .order_by(ReviewCase.id)
    )
    return [(report, case) for report, case in rows]


def _recipients(session: Session, incident: Incident) -> list[Person]:
    """Whoever leads the incident; with no lead yet, everyone in the cell."""
    lead = session.get(Person, incident.lead_id) if incident.lead_id else None
    if lead is not None and lead.active:
        return [lead]
    return cell_members(session, incident_id=incident.id)


def _remind(
    session: Session,
    *,
    incident: Incident,
    report: PlatformReport,
    case: ReviewCase,
    playbook: Playbook,
    available: set[str],
    now: datetime,
) -> None:
    assert report.reported_at is not None and report.decision_due_at is not None
    label = case_label(session, case)
    context = {
        "ref": incident.ref,
        "title": incident.title,
        "case": label,
        "platform": case.platform,
        "reason": report.reason,
        "platform_reference": report.platform_reference,
        "review_url": case.url,
        "reported_at": report.reported_at.isoformat(),
        "decision_due_at": report.decision_due_at.isoformat(),
        "count": report.reminders_sent,
        "at_most": playbook.reminders.at_most,
        "is_drill": incident.is_drill,
    }
    people = _recipients(session, incident)
    for person in people:
        message_person(
            session,
            incident=incident,
            person=person,
            key=f"incident:{incident.id}/review:{case.id}/decision-overdue:{report.reminders_sent}"
            f"/person:{person.id}",
            template=TEMPLATE,
            context={
                **context,
                "person_name": person.name,
                "person_key": person.key,
                "timezone": person.timezone,
            },
            available=available,
            at=now,
        )
    record_event(
        session,
        incident=incident,
        at=now,
        kind="reminder",
        summary=f"{label}: {case.platform}'s decision is overdue; {len(people)} reminded "
        f"({report.reminders_sent}/{playbook.reminders.at_most})",
        new={"case_id": case.id, "reminders_sent": report.reminders_sent},
    )
