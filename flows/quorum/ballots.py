"""What the store says about a draft's quorum: the policy, who may decide, what stands, what waits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from flows.kit.loading import require_kit
from flows.kit.schema import ApprovalPolicy
from flows.quorum.rules import QuorumError, QuorumState, evaluate_quorum
from models import (
    Approval,
    Draft,
    DraftStatus,
    Incident,
    Participant,
    ParticipantStatus,
    Person,
    TimelineEvent,
)

EDITED = "draft_edited"  # the timeline event that names who wrote each version after the first


def approval_policy(session: Session, *, incident: Incident) -> ApprovalPolicy:
    """The approval policy of the playbook the incident follows, in the kit in force."""
    return require_kit(session).playbook_for(incident.attack_type).approval


def quorum_state(session: Session, *, draft: Draft, policy: ApprovalPolicy) -> QuorumState:
    """Where the draft's current version stands: its standing decisions judged against `policy`."""
    return evaluate_quorum(
        standing_decisions(session, draft=draft), policy, draft.author_id, writers=writers_of(session, draft)
    )


def standing_decisions(session: Session, *, draft: Draft) -> list[Approval]:
    """The decisions on the current version (none of them voided), in the order they were taken."""
    return list(
        session.scalars(
            select(Approval)
            .options(joinedload(Approval.person))
            .where(
                Approval.draft_id == draft.id,
                Approval.version == draft.version,
                Approval.voided_at.is_(None),
            )
            .order_by(Approval.decided_at, Approval.id)
        )
    )


def eligible_approvers(
    session: Session, *, incident: Incident, policy: ApprovalPolicy, exclude: Collection[int] = ()
) -> list[tuple[Person, str]]:
    """Cell members who may approve, each once, with the role they approve as.

    They were called or acknowledged (not declined, not timed out) for a role the policy names; the role
    recorded is the first such role they were called for.
    """
    members = session.scalars(
        select(Participant)
        .options(joinedload(Participant.person))
        .where(
            Participant.incident_id == incident.id,
            Participant.role.in_(policy.from_roles),
            Participant.status.not_in(ParticipantStatus.gave_up_statuses()),
        )
        .order_by(Participant.id)
    ).all()
    found: dict[int, tuple[Person, str]] = {}
    for member in members:
        if member.person_id not in exclude and member.person.active:
            found.setdefault(member.person_id, (member.person, member.role))
    return list(found.values())


def cell_roles(session: Session, *, incident: Incident, person: Person) -> list[str]:
    """The roles `person` holds in the incident's cell, in the order called; `QuorumError` if none."""
    roles = list(
        session.scalars(
            select(Participant.role)
            .where(
                Participant.incident_id == incident.id,
                Participant.person_id == person.id,
                Participant.status.not_in(ParticipantStatus.gave_up_statuses()),
            )
            .order_by(Participant.id)
        )
    )
    if not roles:
        raise QuorumError(
            f"{person.name} is not in the crisis cell of {incident.ref} "
            "(or declined the call): only its members take part in its public texts."
        )
    return roles


def approving_role(session: Session, *, incident: Incident, person: Person, policy: ApprovalPolicy) -> str:
    """The role `person` decides as: the first of their cell roles the policy names; else `QuorumError`."""
    roles = cell_roles(session, incident=incident, person=person)
    role = next((r for r in roles if r in policy.from_roles), None)
    if role is None:
        raise QuorumError(
            f"{person.name} is in the cell as {', '.join(roles)}; deciding on a draft takes one of "
            f"these roles: {', '.join(policy.from_roles)}."
        )
    return role


def writers_of(session: Session, draft: Draft) -> list[int]:
    """Who wrote the current version: the author, then its editor (named by the timeline's edit event)."""
    if draft.version == 1:
        return [draft.author_id]
    edits = session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == draft.incident_id, TimelineEvent.kind == EDITED)
        .order_by(TimelineEvent.id.desc())
    )
    for event in edits:
        new = event.new or {}
        if new.get("draft_id") == draft.id and new.get("version") == draft.version:
            return [draft.author_id, int(new["editor_id"])]
    return [draft.author_id]


def drafts_waiting_past_target(
    session: Session, *, incident: Incident, policy: ApprovalPolicy, now: datetime
) -> list[Draft]:
    """Drafts whose current version has awaited approval for the policy's target or longer."""
    return list(
        session.scalars(
            select(Draft)
            .where(
                Draft.incident_id == incident.id,
                Draft.status == DraftStatus.AWAITING_APPROVAL,
                # `updated_at` is when the current version was put up: decisions short of the quorum
                # leave the draft row untouched.
                Draft.updated_at <= now - policy.target,
            )
            .order_by(Draft.number)
        )
    )


def draft_facts(draft: Draft) -> dict[str, object]:
    """What the timeline records about a draft's version."""
    return {
        "draft": draft.label,
        "draft_id": draft.id,
        "kind": draft.kind.value,
        "version": draft.version,
        "text_sha256": draft.text_sha256,
    }
