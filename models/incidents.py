"""The incident aggregate: its status machine, its milestones, and its append-only timeline."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, text_enum
from models.signals import Target


class AttackType(enum.StrEnum):
    DEFAMATORY_REVIEW = "defamatory_review"
    REVIEW_BOMBING = "review_bombing"
    RUMOR = "rumor"
    DISINFORMATION = "disinformation"
    BAD_BUZZ = "bad_buzz"
    ACCUSATION = "accusation"
    ACCOUNT_TAKEOVER = "account_takeover"
    DATA_LEAK = "data_leak"
    HATEFUL_CONTENT = "hateful_content"


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @classmethod
    def highest(cls, *levels: Severity) -> Severity:
        return max(levels, key=lambda s: s.rank, default=cls.LOW)


class IncidentStatus(enum.StrEnum):
    DETECTED = "detected"  # opened from a signal, the cell not yet called
    MOBILISING = "mobilising"  # the cell is being alerted
    ASSEMBLED = "assembled"  # every required role has an acknowledged member
    EXITING = "exiting"  # the exit-on-top protocol is running
    RESOLVED = "resolved"
    CLOSED = "closed"  # post-mortem done
    DISMISSED = "dismissed"  # not an attack after all

    @classmethod
    def open_statuses(cls) -> frozenset[IncidentStatus]:
        return frozenset({cls.DETECTED, cls.MOBILISING, cls.ASSEMBLED, cls.EXITING})


# Declared once: the only moves an incident can make.
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    IncidentStatus.DETECTED: frozenset({IncidentStatus.MOBILISING, IncidentStatus.DISMISSED}),
    IncidentStatus.MOBILISING: frozenset(
        {IncidentStatus.ASSEMBLED, IncidentStatus.EXITING, IncidentStatus.DISMISSED}
    ),
    IncidentStatus.ASSEMBLED: frozenset({IncidentStatus.EXITING, IncidentStatus.RESOLVED}),
    IncidentStatus.EXITING: frozenset({IncidentStatus.RESOLVED}),
    IncidentStatus.RESOLVED: frozenset({IncidentStatus.CLOSED, IncidentStatus.EXITING}),
    IncidentStatus.CLOSED: frozenset(),
    IncidentStatus.DISMISSED: frozenset(),
}

# Milestones, in protocol order. Each is set once and never guessed later.
MILESTONES = (
    "first_signal_at",
    "detected_at",
    "acknowledged_at",
    "cell_assembled_at",
    "first_statement_at",
    "approved_at",
    "published_at",
    "resolved_at",
)


class InvalidTransition(ValueError):
    """An incident was asked to move where its status machine does not allow."""


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    attack_type: Mapped[AttackType] = mapped_column(text_enum(AttackType))
    severity: Mapped[Severity] = mapped_column(text_enum(Severity))
    status: Mapped[IncidentStatus] = mapped_column(text_enum(IncidentStatus), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    kit_version_id: Mapped[int | None] = mapped_column(ForeignKey("kit_versions.id"))
    is_drill: Mapped[bool] = mapped_column(default=False)
    slack_channel_id: Mapped[str | None] = mapped_column(String(32))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    lead_reminders_sent: Mapped[int] = mapped_column(default=0)
    # Exit on top: which branch (already_handled / not_handled) and what the organisation gained.
    exit_branch: Mapped[str | None] = mapped_column(String(32))
    benefit: Mapped[str | None] = mapped_column(Text)
    last_signal_at: Mapped[datetime]

    first_signal_at: Mapped[datetime]
    detected_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    cell_assembled_at: Mapped[datetime | None]
    first_statement_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]

    target: Mapped[Target] = relationship(lazy="raise")


class TimelineEvent(Base):
    """Append-only: what happened, when, who did it, and the old and new values it changed."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(48))
    actor: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    old: Mapped[dict[str, Any] | None]
    new: Mapped[dict[str, Any] | None]


class RefCounter(Base):
    """Per-prefix, per-year counters behind human-friendly references such as CRI-2026-0001."""

    __tablename__ = "ref_counters"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


def next_ref(session: Session, *, prefix: str, year: int) -> str:
    """Allocate the next reference atomically (an UPDATE takes the row lock on both databases)."""
    scope = f"{prefix}-{year}"
    if session.get(RefCounter, scope) is None:
        session.add(RefCounter(scope=scope, last=0))
        session.flush()
    number = session.execute(
        update(RefCounter)
        .where(RefCounter.scope == scope)
        .values(last=RefCounter.last + 1)
        .returning(RefCounter.last)
    ).scalar_one()
    return f"{scope}-{number:04d}"


def record_event(
    session: Session,
    *,
    incident: Incident,
    at: datetime,
    kind: str,
    summary: str,
    actor: str | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> TimelineEvent:
    """Append one event to the incident's timeline."""
    event = TimelineEvent(
        incident_id=incident.id, at=at, kind=kind, summary=summary, actor=actor, old=old, new=new
    )
    session.add(event)
    return event


def record_event_once(
    session: Session, *, incident: Incident, at: datetime, kind: str, summary: str, actor: str | None = None
) -> TimelineEvent | None:
    """Append an event unless the same kind and summary is already on the timeline (re-entrant flows)."""
    exists = session.scalar(
        select(TimelineEvent.id).where(
            TimelineEvent.incident_id == incident.id,
            TimelineEvent.kind == kind,
            TimelineEvent.summary == summary,
        )
    )
    if exists is not None:
        return None
    return record_event(session, incident=incident, at=at, kind=kind, summary=summary, actor=actor)


def change_status(
    session: Session, *, incident: Incident, to: IncidentStatus, at: datetime, actor: str | None = None
) -> TimelineEvent:
    """Move the incident along its status machine, or raise `InvalidTransition`."""
    allowed = TRANSITIONS[incident.status]
    if incident.is_drill and incident.status in IncidentStatus.open_statuses():
        # A drill may be stopped where it stands; a crisis may not.
        allowed = allowed | {IncidentStatus.CLOSED}
    if to not in allowed:
        raise InvalidTransition(f"{incident.ref}: cannot go from {incident.status} to {to}")
    old = incident.status
    incident.status = to
    return record_event(
        session,
        incident=incident,
        at=at,
        kind="status",
        summary=f"{old} → {to}",
        actor=actor,
        old={"status": old.value},
        new={"status": to.value},
    )


def reach_milestone(
    session: Session, *, incident: Incident, milestone: str, at: datetime, actor: str | None = None
) -> bool:
    """Stamp a milestone the first time it is reached; later calls change nothing and return False."""
    if milestone not in MILESTONES:
        raise ValueError(f"unknown milestone {milestone!r}")
    if getattr(incident, milestone) is not None:
        return False
    setattr(incident, milestone, at)
    record_event(
        session,
        incident=incident,
        at=at,
        kind="milestone",
        summary=milestone,
        actor=actor,
        new={milestone: at.isoformat()},
    )
    return True


def find_open_incident(
    session: Session, *, target_id: int, is_drill: bool, since: datetime
) -> Incident | None:
    """The open incident about this target that saw a signal since `since`, locked for update."""
    return session.scalars(
        select(Incident)
        .where(
            Incident.target_id == target_id,
            Incident.is_drill == is_drill,
            Incident.status.in_(IncidentStatus.open_statuses()),
            Incident.last_signal_at >= since,
        )
        .order_by(Incident.id.desc())
        .limit(1)
        .with_for_update()
    ).first()


def incident_by_ref(session: Session, ref: str, *, for_update: bool = False) -> Incident | None:
    """The incident with this reference, whatever the letter case (people type `cri-2026-0001`)."""
    query = select(Incident).where(func.upper(Incident.ref) == ref.strip().upper())
    return session.scalars(query.with_for_update() if for_update else query).first()
