"""What the cell reads about its drafts: each draft with where the quorum stands and who decided what.

Read models for every door (`cellule drafts`, `cellule show`, the war-room pages): plain dataclasses over
the store's rows, nothing written, nothing rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from flows.lookups import draft_by_label, incident_by_reference
from flows.quorum.ballots import approval_policy, quorum_state
from flows.quorum.rules import QuorumState
from models import Approval, Draft, DraftKind, DraftStatus, Person


def drafts_of(
    session: Session, *, incident_id: int, kind: DraftKind | None = None, live_only: bool = False
) -> list[Draft]:
    """The incident's drafts in label order (D1, D2…); of one kind; `live_only`: not withdrawn."""
    query = select(Draft).where(Draft.incident_id == incident_id).order_by(Draft.number)
    if kind is not None:
        query = query.where(Draft.kind == kind)
    if live_only:
        query = query.where(Draft.status != DraftStatus.WITHDRAWN)
    return list(session.scalars(query))


def decisions_on(session: Session, *, draft: Draft, current_only: bool = False) -> list[Approval]:
    """Every decision on the draft (or on its current version only, not voided), oldest first."""
    query = (
        select(Approval)
        .options(joinedload(Approval.person))
        .where(Approval.draft_id == draft.id)
        .order_by(Approval.decided_at, Approval.id)
    )
    if current_only:
        query = query.where(Approval.version == draft.version, Approval.voided_at.is_(None))
    return list(session.scalars(query))


def decisions_by_draft(session: Session, *, incident_id: int) -> dict[int, list[Approval]]:
    """Every decision on the incident's drafts, by draft id, oldest first."""
    decisions: dict[int, list[Approval]] = {}
    for approval in session.scalars(
        select(Approval)
        .options(joinedload(Approval.person))
        .join(Draft, Draft.id == Approval.draft_id)
        .where(Draft.incident_id == incident_id)
        .order_by(Approval.decided_at, Approval.id)
    ):
        decisions.setdefault(approval.draft_id, []).append(approval)
    return decisions


@dataclass(frozen=True)
class DraftLine:
    """One draft as a list shows it: where its quorum stands, and the decisions on its current version."""

    draft: Draft
    state: QuorumState
    decisions: list[Approval]


@dataclass(frozen=True)
class DraftsView:
    incident_ref: str
    drafts: list[DraftLine]


@dataclass(frozen=True)
class DraftView:
    """One draft in full: its text, its author, where the quorum stands, every decision ever taken."""

    draft: Draft
    author: str
    state: QuorumState
    history: list[Approval]


def read_drafts(session: Session, *, ref: str) -> DraftsView:
    """The drafts of incident `ref`, each with what it still needs."""
    incident = incident_by_reference(session, ref=ref)
    policy = approval_policy(session, incident=incident)
    lines = [
        DraftLine(
            draft,
            quorum_state(session, draft=draft, policy=policy),
            decisions_on(session, draft=draft, current_only=True),
        )
        for draft in drafts_of(session, incident_id=incident.id)
    ]
    return DraftsView(incident.ref, lines)


def read_draft(session: Session, *, ref: str, label: str) -> DraftView:
    """Draft `label` of incident `ref`, in full."""
    incident = incident_by_reference(session, ref=ref)
    draft = draft_by_label(session, incident=incident, label=label)
    state = quorum_state(session, draft=draft, policy=approval_policy(session, incident=incident))
    author = session.get_one(Person, draft.author_id).name
    return DraftView(draft, author, state, decisions_on(session, draft=draft))
