"""The quorum's scenario: the cell of CRI-2026-0001 at the Hôtel des Lilas (tests/scenarios/hotel.py)
acting on drafts as plain calls (one transaction each, as the CLI and Slack make them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.quorum import (
    QuorumState,
    approval_policy,
    approve_draft,
    edit_draft,
    propose_draft,
    quorum_state,
    reject_draft,
)
from models import (
    Approval,
    Draft,
    DraftKind,
    Incident,
    Notification,
    Person,
    TimelineEvent,
    transaction,
)
from tests.scenarios.hotel import HOLDING, T0, join_cell, person


@dataclass
class Cell:
    """The crisis cell of CRI-2026-0001 acting on drafts, one transaction per action."""

    sessions: sessionmaker[Session]
    incident_id: int
    available: frozenset[str] = frozenset({"console"})

    def person(self, session: Session, key: str) -> Person:
        return person(session, key)

    def propose(
        self, by: str = "claire.morel", text: str = HOLDING, *, kind: DraftKind = DraftKind.HOLDING_STATEMENT
    ) -> int:
        with transaction(self.sessions) as session:
            draft = propose_draft(
                session,
                incident=session.get_one(Incident, self.incident_id),
                author=self.person(session, by),
                kind=kind,
                text=text,
                locale="fr",
                at=T0,
                available=set(self.available),
            )
            return draft.id

    def approve(
        self, draft_id: int, by: str, *, version: int | None = None, at: datetime = T0
    ) -> QuorumState:
        with transaction(self.sessions) as session:
            return approve_draft(
                session,
                draft=session.get_one(Draft, draft_id),
                person=self.person(session, by),
                at=at,
                available=set(self.available),
                version=version,
            )

    def reject(self, draft_id: int, by: str, comment: str, *, version: int | None = None) -> QuorumState:
        with transaction(self.sessions) as session:
            return reject_draft(
                session,
                draft=session.get_one(Draft, draft_id),
                person=self.person(session, by),
                comment=comment,
                at=T0,
                available=set(self.available),
                version=version,
            )

    def edit(self, draft_id: int, by: str, text: str, *, at: datetime = T0) -> None:
        with transaction(self.sessions) as session:
            edit_draft(
                session,
                draft=session.get_one(Draft, draft_id),
                editor=self.person(session, by),
                text=text,
                at=at,
                available=set(self.available),
            )

    def draft(self, draft_id: int) -> Draft:
        with transaction(self.sessions) as session:
            return session.get_one(Draft, draft_id)

    def incident(self) -> Incident:
        with transaction(self.sessions) as session:
            return session.get_one(Incident, self.incident_id)

    def state(self, draft_id: int) -> QuorumState:
        with transaction(self.sessions) as session:
            draft = session.get_one(Draft, draft_id)
            policy = approval_policy(session, incident=session.get_one(Incident, self.incident_id))
            return quorum_state(session, draft=draft, policy=policy)

    def add_member(self, key: str, role: str) -> None:
        with transaction(self.sessions) as session:
            join_cell(session, self.incident_id, key, role)

    def decisions(self) -> list[tuple[str, int, str, str, bool]]:
        """Every decision: (who, version, role, decision, voided)."""
        with transaction(self.sessions) as session:
            rows = session.execute(
                select(Person.key, Approval.version, Approval.role, Approval.decision, Approval.voided_at)
                .join(Person, Person.id == Approval.person_id)
                .order_by(Approval.id)
            )
            return [(k, v, r, d.value, voided is not None) for k, v, r, d, voided in rows]

    def approvals(self) -> list[Approval]:
        with transaction(self.sessions) as session:
            return list(session.scalars(select(Approval).order_by(Approval.id)))

    def outbox(self) -> dict[str, Notification]:
        with transaction(self.sessions) as session:
            return {n.key: n for n in session.scalars(select(Notification).order_by(Notification.id))}

    def timeline(self, *kinds: str) -> list[TimelineEvent]:
        with transaction(self.sessions) as session:
            query = select(TimelineEvent).order_by(TimelineEvent.id)
            if kinds:
                query = query.where(TimelineEvent.kind.in_(kinds))
            return list(session.scalars(query))

    def snapshot(self) -> dict[str, list[Any]]:
        """Everything a draft action may write, to compare before and after a refused one."""
        with transaction(self.sessions) as session:
            return {
                "drafts": [
                    (d.number, d.version, d.status.value, d.text_sha256, d.approved_at)
                    for d in session.scalars(select(Draft).order_by(Draft.id))
                ],
                "approvals": [
                    (a.person_id, a.version, a.decision.value, a.voided_at)
                    for a in session.scalars(select(Approval).order_by(Approval.id))
                ],
                "outbox": sorted(session.scalars(select(Notification.key))),
                "timeline": len(session.scalars(select(TimelineEvent.id)).all()),
                "milestone": session.get_one(Incident, self.incident_id).approved_at,
            }


def approval_request_key(incident_id: int, number: int, version: int, person_id: int) -> str:
    return f"incident:{incident_id}/draft:{number}/v{version}/approve/person:{person_id}"
