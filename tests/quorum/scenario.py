"""The quorum's scenario: a defamatory review of the Hôtel des Lilas, its crisis cell assembled, and the
cell's actions on drafts as plain calls (one transaction each, as the CLI and Slack make them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.kit.loading import example_kit_path, load_kit, read_kit
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
    AttackType,
    Draft,
    DraftKind,
    Incident,
    IncidentStatus,
    Notification,
    Participant,
    ParticipantStatus,
    Person,
    Severity,
    Target,
    TimelineEvent,
    transaction,
)

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HOLDING = (
    "Bonjour, nous avons pris connaissance de votre avis et nous le prenons au sérieux. "
    "Nous vérifions les faits et revenons vers vous très vite."
)

# The cell of CRI-2026-0001 (the hotel kit's people): who holds which role, and how they answered.
HOTEL_CELL = (
    ("claire.morel", "community_manager", ParticipantStatus.ACKNOWLEDGED),
    ("sophie.marchand", "comms_lead", ParticipantStatus.ACKNOWLEDGED),
    ("emma.walsh", "comms_lead", ParticipantStatus.CALLED),  # the backup, called too, not answered yet
    ("anne.roux", "legal", ParticipantStatus.ACKNOWLEDGED),
    ("henri.delacroix", "executive", ParticipantStatus.DECLINED),
    ("thomas.girard", "agency", ParticipantStatus.ACKNOWLEDGED),
)
# lucas.perrin, isabelle.delacroix, karim.benali and olivia.bennett are in the kit but not in this cell.


def load_hotel_kit(sessions: sessionmaker[Session]) -> None:
    """Load the example kit of the Hôtel des Lilas (its default approval policy: 2 distinct roles among
    comms_lead, legal and executive)."""
    path = example_kit_path("hotel")
    with transaction(sessions) as session:
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        load_kit(session, kit=read_kit(path), source=str(path), sha256=sha256)


def open_defamatory_review(sessions: sessionmaker[Session], *, is_drill: bool = False) -> int:
    """Incident CRI-2026-0001, a fake one-star review, with the cell of HOTEL_CELL; its id."""
    with transaction(sessions) as session:
        target = Target(key="hotel-des-lilas", name="Hôtel des Lilas")
        session.add(target)
        session.flush()
        incident = Incident(
            ref="CRI-2026-0001",
            title="Faux avis une étoile sur Google",
            attack_type=AttackType.DEFAMATORY_REVIEW,
            severity=Severity.MEDIUM,
            status=IncidentStatus.ASSEMBLED,
            target_id=target.id,
            is_drill=is_drill,
            last_signal_at=T0,
            first_signal_at=T0,
            detected_at=T0,
        )
        session.add(incident)
        session.flush()
        for key, role, status in HOTEL_CELL:
            join_cell(session, incident.id, key, role, status)
        return incident.id


def join_cell(
    session: Session,
    incident_id: int,
    key: str,
    role: str,
    status: ParticipantStatus = ParticipantStatus.ACKNOWLEDGED,
) -> None:
    person = session.scalars(select(Person).where(Person.key == key)).one()
    answered = T0 + timedelta(minutes=5)
    session.add(
        Participant(
            incident_id=incident_id,
            person_id=person.id,
            role=role,
            rank=1,
            status=status,
            called_at=T0,
            acknowledged_at=answered if status == ParticipantStatus.ACKNOWLEDGED else None,
            declined_at=answered if status == ParticipantStatus.DECLINED else None,
        )
    )
    session.flush()


@dataclass
class Cell:
    """The crisis cell of CRI-2026-0001 acting on drafts, one transaction per action."""

    sessions: sessionmaker[Session]
    incident_id: int
    available: frozenset[str] = frozenset({"console"})

    def person(self, session: Session, key: str) -> Person:
        return session.scalars(select(Person).where(Person.key == key)).one()

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
