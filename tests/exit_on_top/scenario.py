"""Exit on top at the Hôtel des Lilas: CRI-2026-0001 (a fake one-star review), its cell assembled, and the
cell's exit-on-top acts as plain calls, one transaction each, as the command line makes them.

The cell is the hotel's (tests/scenarios/hotel.py): Claire Morel (community manager), Sophie
Marchand (comms lead), Emma Walsh (comms lead, called), Me Anne Roux (legal), Henri Delacroix (executive,
declined), Thomas Girard (agency). The hotel's policy: two approvals from distinct roles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from flows.exit_on_top.branches import ExitBranch, choose_branch
from flows.exit_on_top.commitments import drop_commitment, find_commitment, keep_commitment, record_commitment
from flows.exit_on_top.resolution import resolve_incident
from flows.exit_on_top.statements import Publication, propose_statement, publish_statement
from flows.kit.loading import require_kit
from flows.quorum import approve_draft, edit_draft
from models import (
    Commitment,
    Draft,
    DraftKind,
    Incident,
    Notification,
    Person,
    TimelineEvent,
    transaction,
)
from tests.scenarios.hotel import T0, person

__all__ = ["T0", "ExitCell"]


@dataclass
class ExitCell:
    """The crisis cell of CRI-2026-0001 exiting on top."""

    sessions: sessionmaker[Session]
    incident_id: int
    available: frozenset[str] = field(default=frozenset({"console"}))

    def person(self, session: Session, key: str) -> Person:
        return person(session, key)

    def propose(
        self, kind: DraftKind = DraftKind.HOLDING_STATEMENT, *, by: str = "claire.morel"
    ) -> list[int]:
        """What the exit phase does: the statement of `kind` from the playbook's template, each language."""
        with transaction(self.sessions) as session:
            incident = session.get_one(Incident, self.incident_id)
            kit = require_kit(session)
            playbook = kit.playbook_for(incident.attack_type)
            template = {
                DraftKind.HOLDING_STATEMENT: playbook.exit.templates.holding,
                DraftKind.STATEMENT: playbook.exit.templates.already_handled,
                DraftKind.APOLOGY: playbook.exit.templates.not_handled,
            }[kind]
            drafts = propose_statement(
                session,
                incident=incident,
                kind=kind,
                template=template,
                author=self.person(session, by),
                kit=kit,
                playbook=playbook,
                at=T0,
                available=set(self.available),
            )
            return [d.id for d in drafts]

    def approve(self, draft_id: int, *by: str, at: datetime = T0) -> None:
        for key in by:
            with transaction(self.sessions) as session:
                approve_draft(
                    session,
                    draft=session.get_one(Draft, draft_id),
                    person=self.person(session, key),
                    at=at,
                    available=set(self.available),
                )

    def edit(self, draft_id: int, text: str, *, by: str = "claire.morel") -> None:
        with transaction(self.sessions) as session:
            edit_draft(
                session,
                draft=session.get_one(Draft, draft_id),
                editor=self.person(session, by),
                text=text,
                at=T0,
                available=set(self.available),
            )

    def publish(
        self,
        draft_id: int,
        *,
        by: str = "claire.morel",
        where: str = "Google",
        url: str | None = "https://g.page/hotel-des-lilas/review/1",
        at: datetime = T0 + timedelta(minutes=40),
        posted_text: str | None = None,
    ) -> Publication:
        with transaction(self.sessions) as session:
            return publish_statement(
                session,
                draft=session.get_one(Draft, draft_id),
                person=self.person(session, by),
                where=where,
                url=url,
                at=at,
                posted_text=posted_text,
            )

    def choose(self, branch: ExitBranch, *, by: str = "sophie.marchand", at: datetime = T0) -> bool:
        with transaction(self.sessions) as session:
            return choose_branch(
                session,
                incident=session.get_one(Incident, self.incident_id),
                person=self.person(session, by),
                branch=branch,
                at=at,
            )

    def commit(
        self,
        text: str = "Former toute l'équipe d'accueil avant le 31 décembre",
        *,
        owner: str = "sophie.marchand",
        by: str = "sophie.marchand",
        due: timedelta = timedelta(days=30),
        at: datetime = T0,
    ) -> int:
        with transaction(self.sessions) as session:
            commitment = record_commitment(
                session,
                incident=session.get_one(Incident, self.incident_id),
                by=self.person(session, by),
                owner=self.person(session, owner),
                text=text,
                due_at=at + due,
                at=at,
            )
            return commitment.id

    def keep(
        self,
        label: str = "C1",
        proof: str = "https://hoteldeslilas.example/formation",
        *,
        by: str = "sophie.marchand",
    ) -> None:
        with transaction(self.sessions) as session:
            incident = session.get_one(Incident, self.incident_id)
            keep_commitment(
                session,
                commitment=find_commitment(session, incident=incident, label=label),
                by=self.person(session, by),
                proof_url=proof,
                at=T0 + timedelta(days=20),
            )

    def drop(
        self, label: str = "C1", reason: str = "Le prestataire a fermé.", *, by: str = "sophie.marchand"
    ) -> None:
        with transaction(self.sessions) as session:
            incident = session.get_one(Incident, self.incident_id)
            drop_commitment(
                session,
                commitment=find_commitment(session, incident=incident, label=label),
                by=self.person(session, by),
                reason=reason,
                at=T0 + timedelta(days=20),
            )

    def apologise_in_public(self) -> int:
        """The not-handled branch walked to its end: C1, the apology approved and published; its id."""
        self.commit()
        self.choose(ExitBranch.NOT_HANDLED)
        [apology] = self.propose(DraftKind.APOLOGY, by="claire.morel")
        self.approve(apology, "sophie.marchand", "anne.roux")
        self.publish(apology, at=T0 + timedelta(hours=2))
        return apology

    def resolve(
        self, benefit: str, *, by: str = "sophie.marchand", at: datetime = T0 + timedelta(hours=3)
    ) -> None:
        with transaction(self.sessions) as session:
            resolve_incident(
                session,
                incident=session.get_one(Incident, self.incident_id),
                person=self.person(session, by),
                benefit=benefit,
                at=at,
            )

    def incident(self) -> Incident:
        with transaction(self.sessions) as session:
            return session.get_one(Incident, self.incident_id)

    def draft(self, draft_id: int) -> Draft:
        with transaction(self.sessions) as session:
            return session.get_one(Draft, draft_id)

    def drafts(self) -> list[Draft]:
        with transaction(self.sessions) as session:
            return list(session.scalars(select(Draft).order_by(Draft.number)))

    def commitment(self, commitment_id: int) -> Commitment:
        with transaction(self.sessions) as session:
            return session.get_one(Commitment, commitment_id)

    def timeline(self, *kinds: str) -> list[TimelineEvent]:
        with transaction(self.sessions) as session:
            query = select(TimelineEvent).order_by(TimelineEvent.id)
            if kinds:
                query = query.where(TimelineEvent.kind.in_(kinds))
            return list(session.scalars(query))

    def outbox(self, template: str) -> list[Notification]:
        with transaction(self.sessions) as session:
            query = select(Notification).where(Notification.template == template).order_by(Notification.id)
            return list(session.scalars(query))

    def snapshot(self) -> dict[str, Any]:
        """Everything an exit-on-top act may write, to compare before and after a refused one."""
        with transaction(self.sessions) as session:
            incident = session.get_one(Incident, self.incident_id)
            return {
                "incident": (incident.status, incident.exit_branch, incident.benefit, incident.resolved_at),
                "milestones": (incident.first_statement_at, incident.published_at),
                "drafts": [(d.number, d.status.value, d.version) for d in session.scalars(select(Draft))],
                "commitments": [(c.id, c.status.value) for c in session.scalars(select(Commitment))],
                "timeline": session.scalar(select(func.count()).select_from(TimelineEvent)),
                "outbox": session.scalar(select(func.count()).select_from(Notification)),
            }
