"""A resolved crisis at the Hôtel des Lilas, written row by row so every number of its post-mortem is known.

CRI-2026-0001, a fake one-star Google review followed by a few more signals. The cell gathered (the
executive declined, the backup stepped in), a holding statement was sent back once, approved in its second
version and published; the review was reported, the platform removed it, the public reply went out; two
commitments were made (one kept), and the incident resolved three days later. EXE-2026-0001 is a drill of
the same story, shorter. Times below are UTC, minutes after T0 unless said.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import (
    ActionItem,
    Approval,
    AttackType,
    AvenueStatus,
    Commitment,
    CommitmentStatus,
    Decision,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    IncidentStatus,
    LegalAction,
    Participant,
    ParticipantStatus,
    Person,
    PlatformReport,
    PublicReply,
    ReviewCase,
    ReviewOutcome,
    Severity,
    Signal,
    Target,
    WasCustomer,
    record_event,
    transaction,
)
from tests.scenarios.hotel import HOLDING, T0

__all__ = ["ATTACK", "HOLDING", "T0", "Built", "build_drill", "build_resolved"]

# Outside text, written by the attacker: it must reach every reader as inert words.
ATTACK = "<script>alert('x')</script> <!channel> **Hôtel sale** [lien](http://evil.example) | & co"
REPLY = "Nous n'avons aucune trace de votre séjour ; nous restons à votre disposition."


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Built:
    incident_id: int
    ref: str


# (minutes, platform, reach, rating, text): signal volume over the first hours.
SIGNALS = (
    (0, "google", 120, 1, ATTACK),
    (3, "google", None, 1, "Même expérience, à fuir."),
    (20, "x", 5400, None, "Quelqu'un connaît l'Hôtel des Lilas ? Il paraît que c'est sale."),
    (50, "x", 800, None, "RT: Hôtel des Lilas à éviter"),
    (55, "tripadvisor", 60, 2, "Pas terrible."),
    (130, "x", 300, None, "Toujours pas de réponse de l'hôtel ?"),
    (160, "google", None, 1, "Nul."),
)
MILESTONES = {
    "first_signal_at": 0,
    "detected_at": 4,
    "acknowledged_at": 16,
    "cell_assembled_at": 154,
    "approved_at": 70,
    "first_statement_at": 85,
    "published_at": 85,
    "resolved_at": 3 * 24 * 60,
}
# (person, role, rank, status, minutes answered)
CELL = (
    ("claire.morel", "community_manager", 1, ParticipantStatus.ACKNOWLEDGED, 16),
    ("sophie.marchand", "comms_lead", 1, ParticipantStatus.ACKNOWLEDGED, 25),
    ("henri.delacroix", "executive", 1, ParticipantStatus.DECLINED, 30),
    ("isabelle.delacroix", "executive", 2, ParticipantStatus.ACKNOWLEDGED, 60),
    ("anne.roux", "legal", 1, ParticipantStatus.ACKNOWLEDGED, 154),
)


def build_resolved(sessions: sessionmaker[Session]) -> Built:
    """CRI-2026-0001 as described above, in the `hotel` store (tests/scenarios/hotel.py)."""
    with transaction(sessions) as session:
        people = {p.key: p for p in session.scalars(select(Person))}
        incident = _incident(session, "CRI-2026-0001", is_drill=False, lead=people["sophie.marchand"])
        _signals(session, incident, SIGNALS)
        _cell(session, incident, people, CELL)
        holding = _holding_statement(session, incident, people)
        _publish(session, incident, holding, minutes=85, where="Google", url="https://g.page/lilas/post/1")
        _review_case(session, incident, people)
        _commitments(session, incident, people)
        session.add(
            ActionItem(
                incident_id=incident.id,
                number=1,
                text="Name a second legal backup",
                owner_id=people["sophie.marchand"].id,
                due_at=m(20 * 24 * 60),
                created_at=m(4400),
                updated_at=m(4400),
            )
        )
        record_event(
            session,
            incident=incident,
            at=m(154),
            kind="escalated",
            summary="role legal unanswered: escalation tier 1 told",
        )
        record_event(
            session,
            incident=incident,
            at=m(4319),
            kind="benefit",
            actor="sophie.marchand",
            summary="what we gained — a public guest-verification policy",
        )
        _milestone_events(session, incident)
        return Built(incident.id, incident.ref)


def build_drill(sessions: sessionmaker[Session]) -> Built:
    """EXE-2026-0001: two signals, a cell of two, a holding statement "published" (simulated), resolved."""
    with transaction(sessions) as session:
        people = {p.key: p for p in session.scalars(select(Person))}
        incident = _incident(session, "EXE-2026-0001", is_drill=True, lead=people["sophie.marchand"])
        incident.cell_assembled_at, incident.first_statement_at, incident.published_at = m(40), m(300), m(300)
        incident.approved_at, incident.resolved_at = m(290), m(600)
        _signals(session, incident, SIGNALS[:2])
        _cell(session, incident, people, CELL[:2])
        draft = _draft(
            session, incident, people, number=1, kind=DraftKind.HOLDING_STATEMENT, text=HOLDING, created=200
        )
        _decide(session, draft, people["sophie.marchand"], "comms_lead", Decision.APPROVE, 280)
        _decide(session, draft, people["claire.morel"], "community_manager", Decision.APPROVE, 290)
        draft.status, draft.approved_at = DraftStatus.PUBLISHED, m(290)
        _publish(session, incident, draft, minutes=300, where="Google", url=None, simulated=True)
        _milestone_events(session, incident)
        return Built(incident.id, incident.ref)


def _incident(session: Session, ref: str, *, is_drill: bool, lead: Person) -> Incident:
    target = session.scalars(select(Target).where(Target.key == "hotel-des-lilas")).one_or_none()
    if target is None:
        target = Target(key="hotel-des-lilas", name="Hôtel des Lilas")
        session.add(target)
        session.flush()
    stamps = {name: m(minutes) for name, minutes in MILESTONES.items()}
    incident = Incident(
        ref=ref,
        title="Faux avis une étoile sur Google",
        attack_type=AttackType.DEFAMATORY_REVIEW,
        severity=Severity.MEDIUM,
        status=IncidentStatus.RESOLVED,
        target_id=target.id,
        is_drill=is_drill,
        lead_id=lead.id,
        exit_branch="not_handled",
        benefit="A public guest-verification policy",
        last_signal_at=m(160),
        **stamps,
    )
    session.add(incident)
    session.flush()
    record_event(session, incident=incident, at=m(4), kind="opened", summary=f"{ref} opened from a signal")
    return incident


def _signals(session: Session, incident: Incident, rows: tuple[tuple, ...]) -> None:
    for n, (minutes, platform, reach, rating, text) in enumerate(rows):
        session.add(
            Signal(
                dedup_key=sha(f"{incident.ref}/{n}"),
                target_id=incident.target_id,
                incident_id=incident.id,
                source="cli",
                platform=platform,
                external_id=f"{platform}-{n}",
                author=f"Auteur {n}",
                rating=rating,
                text=text,
                reach=reach,
                reported_by="claire.morel",
                observed_at=m(minutes),
                received_at=m(minutes),
                is_drill=incident.is_drill,
            )
        )
        record_event(
            session, incident=incident, at=m(minutes), kind="signal", summary=f"signal on {platform}"
        )


def _cell(session: Session, incident: Incident, people: dict[str, Person], cell: tuple[tuple, ...]) -> None:
    for key, role, rank, status, answered in cell:
        acknowledged = status == ParticipantStatus.ACKNOWLEDGED
        session.add(
            Participant(
                incident_id=incident.id,
                person_id=people[key].id,
                role=role,
                rank=rank,
                status=status,
                called_at=m(5 if rank == 1 else 30),
                acknowledged_at=m(answered) if acknowledged else None,
                declined_at=None if acknowledged else m(answered),
            )
        )
        kind = "acknowledged" if acknowledged else "declined"
        record_event(
            session,
            incident=incident,
            at=m(answered),
            kind=kind,
            actor=people[key].name,
            summary=f"{people[key].name} {kind} the role {role}",
        )


def _draft(
    session: Session,
    incident: Incident,
    people: dict[str, Person],
    *,
    number: int,
    kind: DraftKind,
    text: str,
    created: float,
) -> Draft:
    draft = Draft(
        incident_id=incident.id,
        number=number,
        kind=kind,
        locale="fr",
        text=text,
        text_sha256=sha(text),
        version=1,
        status=DraftStatus.AWAITING_APPROVAL,
        author_id=people["claire.morel"].id,
        created_at=m(created),
        updated_at=m(created),
    )
    session.add(draft)
    session.flush()
    return draft


def _decide(
    session: Session,
    draft: Draft,
    person: Person,
    role: str,
    decision: Decision,
    minutes: float,
    *,
    comment: str | None = None,
    voided: float | None = None,
) -> None:
    session.add(
        Approval(
            draft_id=draft.id,
            person_id=person.id,
            role=role,
            decision=decision,
            comment=comment,
            version=draft.version,
            text=draft.text,
            text_sha256=draft.text_sha256,
            decided_at=m(minutes),
            voided_at=m(voided) if voided is not None else None,
        )
    )
    session.flush()


def _holding_statement(session: Session, incident: Incident, people: dict[str, Person]) -> Draft:
    """D1: v1 sent back by counsel, v2 approved by the comms lead and counsel, then published."""
    draft = _draft(
        session,
        incident,
        people,
        number=1,
        kind=DraftKind.HOLDING_STATEMENT,
        text=HOLDING + " (v1)",
        created=40,
    )
    _decide(session, draft, people["sophie.marchand"], "comms_lead", Decision.APPROVE, 42, voided=55)
    _decide(
        session, draft, people["anne.roux"], "legal", Decision.REJECT, 45, comment="Pas d'aveu <b>ici</b>"
    )
    draft.version, draft.text, draft.text_sha256 = 2, HOLDING, sha(HOLDING)
    _decide(session, draft, people["sophie.marchand"], "comms_lead", Decision.APPROVE, 65)
    _decide(session, draft, people["anne.roux"], "legal", Decision.APPROVE, 70)
    draft.status, draft.approved_at = DraftStatus.PUBLISHED, m(70)
    return draft


def _publish(
    session: Session,
    incident: Incident,
    draft: Draft,
    *,
    minutes: float,
    where: str,
    url: str | None,
    simulated: bool = False,
) -> None:
    record_event(
        session,
        incident=incident,
        at=m(minutes),
        kind="statement_published",
        actor="claire.morel",
        summary=f"Claire Morel published {draft.label}",
        old={"draft": draft.label, "status": "approved"},
        new={
            "draft": draft.label,
            "draft_id": draft.id,
            "status": "published",
            "version": draft.version,
            "text_sha256": draft.text_sha256,
            "where": where,
            "url": url,
            "by": "claire.morel",
            "by_name": "Claire Morel",
            "simulated": simulated,
        },
    )


def _review_case(session: Session, incident: Incident, people: dict[str, Person]) -> None:
    """R1: the first signal's review; reported (the platform removed it), counsel stood down, reply out."""
    case = ReviewCase(
        incident_id=incident.id,
        platform="google",
        review_id="g-review-1",
        url="https://maps.example/r/1",
        author_display_name="Marc <b>Fontaine</b>",
        star_rating=1,
        text=ATTACK,
        posted_at=m(0),
        was_customer=WasCustomer.NO,
        customer_match="no booking",
        evidence_text=ATTACK,
        evidence_sha256=sha(ATTACK),
        evidence_captured_at=m(1),
        evidence_url="https://maps.example/r/1",
        rating_before=4.6,
        rating_after=4.6,
        outcome=ReviewOutcome.REMOVED,
        outcome_at=m(2 * 24 * 60),
        opened_at=m(4),
    )
    session.add(case)
    session.flush()
    reply = _draft(session, incident, people, number=2, kind=DraftKind.REVIEW_REPLY, text=REPLY, created=240)
    _decide(session, reply, people["sophie.marchand"], "comms_lead", Decision.APPROVE, 260)
    _decide(session, reply, people["anne.roux"], "legal", Decision.APPROVE, 270)
    reply.status, reply.approved_at = DraftStatus.PUBLISHED, m(270)
    session.add_all(
        [
            PlatformReport(
                case_id=case.id,
                status=AvenueStatus.SUCCEEDED,
                reason="not_genuine",
                reported_at=m(180),
                decision="removed",
                decided_at=m(2 * 24 * 60),
                reminders_sent=0,
            ),
            LegalAction(
                case_id=case.id,
                status=AvenueStatus.ABANDONED,
                counsel="Me Anne Roux",
                opened_at=m(200),
                abandoned_reason="the review was removed",
            ),
            PublicReply(
                case_id=case.id,
                status=AvenueStatus.SUCCEEDED,
                draft_id=reply.id,
                connector="google",
                attempts=1,
                published_text_sha256=sha(REPLY),
                published_at=m(300),
                published_url="https://maps.example/r/1#reply",
                published_by="Claire Morel",
            ),
        ]
    )


def _commitments(session: Session, incident: Incident, people: dict[str, Person]) -> None:
    day = 24 * 60
    session.add_all(
        [
            Commitment(
                incident_id=incident.id,
                text="Publier notre politique de vérification des avis",
                owner_id=people["sophie.marchand"].id,
                due_at=m(30 * day),
                status=CommitmentStatus.KEPT,
                kept_at=m(10 * day),
                proof_url="https://lilas.example/avis",
                created_at=m(2 * day),
                reminders_sent=0,
            ),
            Commitment(
                incident_id=incident.id,
                text="Former l'accueil aux réponses publiques",
                owner_id=people["claire.morel"].id,
                due_at=m(20 * day),
                status=CommitmentStatus.OPEN,
                created_at=m(2 * day),
                reminders_sent=0,
            ),
        ]
    )


def _milestone_events(session: Session, incident: Incident) -> None:
    for name in MILESTONES:
        at = getattr(incident, name)
        if at is not None:
            record_event(
                session, incident=incident, at=at, kind="milestone", summary=name, new={name: at.isoformat()}
            )
