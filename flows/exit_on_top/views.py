"""What exiting on top looks like from outside: the drafts with who approved which version and where each
was published, the commitments, each review's three avenues.

Read models for every door (`cellule show`, `cellule commitments`, the war-room pages): plain dataclasses
over the store's rows, nothing written, nothing rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.exit_on_top.statements import Publication, publications
from flows.lookups import incident_by_reference
from flows.quorum.views import decisions_by_draft, drafts_of
from flows.reviews.legal_clock import ClockReading, clock_readings
from models import (
    Approval,
    Commitment,
    CommitmentStatus,
    Draft,
    Incident,
    LegalAction,
    Person,
    PlatformReport,
    PublicReply,
    ReviewCase,
)

Avenue = PlatformReport | LegalAction | PublicReply


@dataclass(frozen=True)
class ReviewAvenues:
    """One review case and its three avenue rows (None: never started)."""

    case: ReviewCase
    report: PlatformReport | None
    legal: LegalAction | None
    reply: PublicReply | None
    clock: ClockReading | None = None  # when the legal action lapses


@dataclass(frozen=True)
class ExitView:
    drafts: Sequence[Draft]
    decisions: dict[int, list[Approval]]  # by draft id, oldest first
    published: dict[int, Publication]  # by draft id
    commitments: Sequence[tuple[Commitment, Person]]
    reviews: Sequence[ReviewAvenues]
    now: datetime  # to tell which open commitments are late


def read_exit_view(session: Session, *, incident: Incident, now: datetime) -> ExitView:
    """What the exit-on-top sections show, read straight from the store's rows."""
    commitments = session.execute(
        select(Commitment, Person)
        .join(Person, Person.id == Commitment.owner_id)
        .where(Commitment.incident_id == incident.id)
        .order_by(Commitment.id)
    ).all()
    return ExitView(
        drafts_of(session, incident_id=incident.id),
        decisions_by_draft(session, incident_id=incident.id),
        publications(session, incident_id=incident.id),
        [(commitment, owner) for commitment, owner in commitments],
        _review_avenues(session, incident.id, now),
        now,
    )


def _review_avenues(session: Session, incident_id: int, now: datetime) -> list[ReviewAvenues]:
    cases = session.scalars(
        select(ReviewCase).where(ReviewCase.incident_id == incident_id).order_by(ReviewCase.id)
    ).all()
    ids = [case.id for case in cases]

    def by_case(model: type[Avenue]) -> dict[int, Avenue]:
        return {row.case_id: row for row in session.scalars(select(model).where(model.case_id.in_(ids)))}

    reports, legal, replies = by_case(PlatformReport), by_case(LegalAction), by_case(PublicReply)
    clocks = clock_readings(session, case_ids=ids, now=now)
    return [
        ReviewAvenues(
            case, reports.get(case.id), legal.get(case.id), replies.get(case.id), clocks.get(case.id)
        )  # type: ignore[arg-type]
        for case in cases
    ]


@dataclass(frozen=True)
class CommitmentLine:
    """One commitment as a list shows it, with its label (C1…) within its incident."""

    incident_ref: str
    is_drill: bool
    label: str
    commitment: Commitment
    owner: Person

    def late(self, now: datetime) -> bool:
        return self.commitment.status == CommitmentStatus.OPEN and self.commitment.due_at < now


def read_commitments(session: Session, *, ref: str | None = None) -> list[CommitmentLine]:
    """The commitments of incident `ref` (all of them), or else every open commitment of every incident."""
    query = (
        select(Commitment, Incident, Person)
        .join(Incident, Incident.id == Commitment.incident_id)
        .join(Person, Person.id == Commitment.owner_id)
        .order_by(Commitment.incident_id, Commitment.id)
    )
    if ref is not None:
        query = query.where(Incident.id == incident_by_reference(session, ref=ref).id)
    lines, numbers = [], dict[int, int]()
    for commitment, incident, owner in session.execute(query).all():
        # Labels count every commitment of the incident, shown or not: C2 stays C2 once C1 is kept.
        numbers[incident.id] = numbers.get(incident.id, 0) + 1
        if ref is None and commitment.status != CommitmentStatus.OPEN:
            continue
        label = f"C{numbers[incident.id]}"
        lines.append(CommitmentLine(incident.ref, incident.is_drill, label, commitment, owner))
    return lines
