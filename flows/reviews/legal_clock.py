"""The legal avenue's clock: when an action about a review lapses, and reminders before it does.

In France an action for public defamation is time-barred three months after the first publication (loi
du 29 juillet 1881, art. 65); the kit's `legal:` section declares that default and any other jurisdiction.
The clock starts from the first publication we know: the platform's own time when the report gave one,
else when we first saw the review (the clock then says so: the real date may be earlier, never later).
The legal role is reminded on the declared days before the lapse — capped, never twice the same day — and
at once when the case opens late with declared days already past. Commitments-style, the reminders
outlive the incident (the `remind-legal-deadlines` flow), since a clock runs for months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.library_schema import LegalPolicy
from flows.reviews.cases import case_label
from flows.reviews.evidence_files import ChecklistItem, evidence_checklist, missing_evidence
from flows.reviews.legal_policy import PLATFORM, clock_row, legal_policy
from models import (
    AvenueStatus,
    Incident,
    LegalAction,
    LegalClock,
    Participant,
    ParticipantStatus,
    Person,
    ReviewCase,
    RosterEntry,
    Signal,
    record_event,
)
from notifications import message_person

TEMPLATE = "legal_deadline"


@dataclass(frozen=True)
class ClockReading:
    """A clock read at a moment: how long is left, or whether it passed."""

    lapses_at: datetime
    published_at: datetime
    published_source: str
    rule: str
    jurisdiction: str
    days_left: int  # whole days, rounded up; 0 once lapsed
    lapsed: bool


def start_legal_clock(session: Session, *, case: ReviewCase, at: datetime) -> LegalClock:
    """The case's clock, started from the first publication we know; the existing one if started."""
    clock = clock_of(session, case=case)
    if clock is not None:
        return clock
    signal = session.get(Signal, case.signal_id) if case.signal_id else None
    # The report gave the platform's time when it differs from when we received it (intake's default).
    from_platform = signal is not None and signal.observed_at != signal.received_at
    clock = LegalClock(
        **clock_row(
            legal_policy(session),
            case_id=case.id,
            posted_at=case.posted_at,
            captured_at=case.evidence_captured_at,
            from_platform=from_platform,
            at=at,
        )
    )
    session.add(clock)
    session.flush()
    return clock


def clock_of(session: Session, *, case: ReviewCase) -> LegalClock | None:
    """The case's legal clock, or None when it has not started."""
    return session.scalars(select(LegalClock).where(LegalClock.case_id == case.id)).one_or_none()


def read_clock(clock: LegalClock, now: datetime) -> ClockReading:
    """Where the clock stands at `now`."""
    left = clock.lapses_at - now
    days = max(0, -(-left // timedelta(days=1)))  # rounded up: "1 day left" until the very end
    return ClockReading(
        clock.lapses_at,
        clock.published_at,
        clock.published_source,
        clock.rule,
        clock.jurisdiction,
        days,
        left <= timedelta(0),
    )


@dataclass(frozen=True)
class CaseEvidence:
    items: list[ChecklistItem]
    clock: ClockReading | None


def case_evidence(session: Session, *, case: ReviewCase, now: datetime) -> CaseEvidence:
    """The checklist of the case and its legal clock read at `now` (started if it was not)."""
    clock = start_legal_clock(session, case=case, at=now)
    return CaseEvidence(evidence_checklist(session, case=case), read_clock(clock, now))


def remind_legal_deadlines(session: Session, *, now: datetime, available: set[str]) -> list[int]:
    """Remind the legal role of every running clock that reached a declared day; the incidents told.

    One reminder per clock and day at most, however often this runs; declared days already past when
    a clock is first read are told at once, in one reminder; never more reminders than declared days.
    """
    policy = legal_policy(session)
    told = []
    for case in _running(session):
        clock = start_legal_clock(session, case=case, at=now)
        if clock.lapses_at <= now or clock.reminders_sent >= len(policy.remind_before_days):
            continue
        due = [
            d
            for d in policy.remind_before_days
            if now >= clock.lapses_at - timedelta(days=d) and d not in clock.reminded_before
        ]
        incident = session.get_one(Incident, case.incident_id)
        people = legal_people(session, incident=incident, role=policy.remind_role)
        zone = ZoneInfo(people[0].timezone if people else "Europe/Paris")
        today = now.astimezone(zone).date().isoformat()
        if not due or clock.last_reminded_on == today:
            continue
        clock.reminded_before = sorted({*clock.reminded_before, *due}, reverse=True)
        clock.reminders_sent += 1
        clock.last_reminded_on = today
        _remind(session, incident, case, clock, people, policy, now, available)
        told.append(incident.id)
    return told


def _running(session: Session) -> list[ReviewCase]:
    """Review cases whose legal avenue is still open (not concluded nor abandoned)."""
    rows = session.execute(
        select(ReviewCase, LegalAction.status)
        .join(LegalAction, LegalAction.case_id == ReviewCase.id, isouter=True)
        .order_by(ReviewCase.id)
    )
    return [case for case, status in rows if status not in AvenueStatus.concluded_statuses()]


def legal_people(session: Session, *, incident: Incident, role: str) -> list[Person]:
    """Who hears of the clock: the incident's cell members holding `role`, else the roster's first."""
    in_cell = session.scalars(
        select(Person)
        .join(Participant, Participant.person_id == Person.id)
        .where(
            Participant.incident_id == incident.id,
            Participant.role == role,
            Participant.status.not_in(ParticipantStatus.gave_up_statuses()),
            Person.active.is_(True),
        )
        .order_by(Participant.id)
    ).all()
    if in_cell:
        return list(dict.fromkeys(in_cell))
    first = session.scalars(
        select(Person)
        .join(RosterEntry, RosterEntry.person_id == Person.id)
        .where(RosterEntry.role == role, Person.active.is_(True))
        .order_by(RosterEntry.rank)
        .limit(1)
    ).first()
    return [first] if first else []


def _remind(
    session: Session,
    incident: Incident,
    case: ReviewCase,
    clock: LegalClock,
    people: list[Person],
    policy: LegalPolicy,
    now: datetime,
    available: set[str],
) -> None:
    label = case_label(session, case)
    reading = read_clock(clock, now)
    context = {
        "ref": incident.ref,
        "title": incident.title,
        "case": label,
        "platform": case.platform,
        "review_url": case.url,
        "rule": clock.rule,
        "published_at": clock.published_at.isoformat(),
        "published_source": clock.published_source,
        "lapses_at": clock.lapses_at.isoformat(),
        "days_left": reading.days_left,
        "count": clock.reminders_sent,
        "at_most": len(policy.remind_before_days),
        "is_drill": incident.is_drill,
    }
    for person in people:
        message_person(
            session,
            incident=incident,
            person=person,
            key=f"incident:{incident.id}/review:{case.id}/legal-deadline:{clock.reminders_sent}"
            f"/person:{person.id}",
            template=TEMPLATE,
            context={
                **context,
                "missing": missing_evidence(session, case=case, locale=person.locale),
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
        summary=f"{label}: legal action lapses {clock.lapses_at.date().isoformat()} "
        f"({reading.days_left} day(s) left); {len(people)} reminded "
        f"({clock.reminders_sent}/{len(policy.remind_before_days)})",
        new={"case_id": case.id, "lapses_at": clock.lapses_at.isoformat(), "days_left": reading.days_left},
    )


def clock_readings(session: Session, *, case_ids: list[int], now: datetime) -> dict[int, ClockReading]:
    """The legal clock of each case that has one, read at `now`, by case id."""
    clocks = session.scalars(select(LegalClock).where(LegalClock.case_id.in_(case_ids)))
    return {clock.case_id: read_clock(clock, now) for clock in clocks}


def say_clock(reading: ClockReading) -> str:
    """The clock in one line: "lapses 2027-02-26 (10 days left)", or "lapsed 2027-02-26 (PASSED)"."""
    day = reading.lapses_at.date().isoformat()
    seen = "" if reading.published_source == PLATFORM else ", from first seen"
    if reading.lapsed:
        return f"action lapsed {day} (PASSED{seen})"
    return f"action lapses {day} ({reading.days_left} day(s) left{seen})"
