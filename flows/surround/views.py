"""Where each crisis stands: the incident board, and one incident with its cell, signals and timeline.

Read models for every door (`cellule incidents`, `cellule show`, the war-room pages): plain dataclasses
over the store's rows, nothing written, nothing rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from flows.exit_on_top.views import ExitView, read_exit_view
from flows.lookups import incident_by_reference
from models import Incident, IncidentStatus, Participant, Signal, TimelineEvent


@dataclass(frozen=True)
class IncidentLine:
    """One incident on the board: how many signals it has, how many of its called people answered."""

    incident: Incident
    signals: int
    called: int
    acknowledged: int


def incident_board(
    session: Session, *, include_closed: bool = False, drills: bool = False
) -> list[IncidentLine]:
    """The incidents, most recent first: open ones only unless `include_closed`; drills only if asked."""
    query = select(Incident).options(joinedload(Incident.target)).order_by(Incident.id.desc())
    if not include_closed:
        query = query.where(Incident.status.in_(IncidentStatus.open_statuses()))
    if not drills:
        query = query.where(Incident.is_drill.is_(False))
    incidents = session.scalars(query).all()
    signal_counts = session.execute(
        select(Signal.incident_id, func.count())
        .where(Signal.incident_id.is_not(None))
        .group_by(Signal.incident_id)
    )
    counts: dict[int, int] = {incident_id: n for incident_id, n in signal_counts}
    cells = {
        incident_id: (called, acked)
        for incident_id, called, acked in session.execute(
            select(Participant.incident_id, func.count(), func.count(Participant.acknowledged_at)).group_by(
                Participant.incident_id
            )
        )
    }
    return [
        IncidentLine(incident, counts.get(incident.id, 0), *cells.get(incident.id, (0, 0)))
        for incident in incidents
    ]


@dataclass(frozen=True)
class IncidentView:
    incident: Incident
    cell: Sequence[Participant]
    signals: Sequence[Signal]
    timeline: Sequence[TimelineEvent]
    exit: ExitView | None = None  # drafts and approvals, commitments, review avenues


def read_incident(session: Session, *, ref: str, now: datetime) -> IncidentView:
    """Everything about one incident, by its reference (any letter case); `NotFound` if there is none.

    `now` tells which open commitments are late.
    """
    incident = incident_by_reference(session, ref=ref)
    session.refresh(incident, attribute_names=["target"])
    cell = session.scalars(
        select(Participant)
        .options(joinedload(Participant.person))
        .where(Participant.incident_id == incident.id)
        .order_by(Participant.id)
    ).all()
    signals = session.scalars(
        select(Signal).where(Signal.incident_id == incident.id).order_by(Signal.observed_at, Signal.id)
    ).all()
    timeline = session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == incident.id)
        .order_by(TimelineEvent.at, TimelineEvent.id)
    ).all()
    return IncidentView(
        incident, cell, signals, timeline, exit=read_exit_view(session, incident=incident, now=now)
    )
