"""What a drill left on the record: the measures its targets need, and its story for the journal.

Read from the store alone — milestones, drafts and their approvals, commitments, the timeline and the
outbox — so a simulated run and a live drill are scored the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.drill.players import Stumble
from flows.drill.scenario import Scenario
from flows.drill.scoring import TIMED, Observation, Rating, TargetResult, rate, score, targets_for
from flows.exit_on_top.branches import ExitBranch, live_commitments
from flows.exit_on_top.library_use import library_use
from flows.kit.schema import ApprovalPolicy, Kit
from models import (
    Approval,
    Commitment,
    Decision,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    LibraryApproval,
    Notification,
    Person,
    TimelineEvent,
)


def judge(
    session: Session, incident: Incident, scenario: Scenario, kit: Kit, *, end: datetime, live: bool = False
) -> tuple[list[TargetResult], Rating]:
    """Each target of the scenario met or not, as the store stood at `end`, and the drill's rating."""
    observed = observe(session, incident, scenario, kit, end=end, live=live)
    playbook = kit.playbook_for(incident.attack_type)
    results = score(observed, timed=targets_for(scenario.targets, playbook.targets), checks=scenario.targets)
    return results, rate(observed, results)


def observe(
    session: Session, incident: Incident, scenario: Scenario, kit: Kit, *, end: datetime, live: bool = False
) -> Observation:
    """Read what the targets need from the store, as it stood at the drill's `end`.

    Simulated, the scenario's commitments must be on the record; live, people write their own, so the
    not-handled branch must hold as many as the playbook asks.
    """
    holding_approved = session.scalar(
        select(func.min(Draft.approved_at)).where(
            Draft.incident_id == incident.id, Draft.kind == DraftKind.HOLDING_STATEMENT
        )
    )
    stamps = {
        "acknowledged_at": incident.acknowledged_at,
        "cell_assembled_at": incident.cell_assembled_at,
        "holding_approved_at": holding_approved,
        "first_statement_at": incident.first_statement_at,
        "resolved_at": incident.resolved_at,
    }
    assert set(stamps) == set(TIMED.values())
    recorded = set(session.scalars(select(Commitment.text).where(Commitment.incident_id == incident.id)))
    wanted = scenario.exit.commitments if scenario.exit else []
    missing = [c.text for c in wanted if c.text not in recorded]
    if live:
        needed = kit.playbook_for(incident.attack_type).exit.criteria.commitments_if_not_handled
        standing = len(live_commitments(session, incident_id=incident.id))
        not_handled = incident.exit_branch == ExitBranch.NOT_HANDLED.value
        missing = [f"{standing} of the {needed} commitment(s) the playbook asks for"] * (
            not_handled and standing < needed
        )
    return Observation(
        detected_at=incident.detected_at,
        milestones={k: v if v is not None and v <= end else None for k, v in stamps.items()},
        quorum_breaches=tuple(quorum_breaches(session, incident, kit)),
        commitments_missing=tuple(missing),
    )


def quorum_breaches(session: Session, incident: Incident, kit: Kit) -> Iterator[str]:
    """Each published text whose final version lacks approvals from enough distinct roles, or counts
    its author's — checked from the approval rows alone, not through the code that enforced it."""
    policy = kit.playbook_for(incident.attack_type).approval
    published = session.scalars(
        select(Draft).where(Draft.incident_id == incident.id, Draft.status == DraftStatus.PUBLISHED)
    )
    for draft in published:
        if (cited := library_use(session, draft=draft)) is not None and draft.version == 1:
            yield from _library_breaches(session, draft, cited, policy)
            continue
        approvals = session.scalars(
            select(Approval).where(
                Approval.draft_id == draft.id,
                Approval.version == draft.version,
                Approval.decision == Decision.APPROVE,
                Approval.voided_at.is_(None),
            )
        ).all()
        voters = [a for a in approvals if a.person_id != draft.author_id]
        heard = len({a.role for a in voters}) if policy.distinct_roles else len(voters)
        if heard < policy.approvers or len(voters) < len(approvals):
            yield f"{draft.label} was published with {heard} of {policy.approvers} approvals"


def _library_breaches(
    session: Session, draft: Draft, cited: dict[str, object], policy: ApprovalPolicy
) -> Iterator[str]:
    """A library statement rests on the peacetime approvals it cites: check their rows the same way."""
    ids = [int(a["id"]) for a in cited.get("approvals", [])]  # type: ignore[attr-defined]
    rows = session.scalars(select(LibraryApproval).where(LibraryApproval.id.in_(ids))).all()
    voters = [a for a in rows if a.person_id != draft.author_id and a.text_sha256 == cited["template_sha256"]]
    heard = len({a.role for a in voters}) if policy.distinct_roles else len(voters)
    if heard < policy.approvers:
        yield f"{draft.label} was published from the library with {heard} of {policy.approvers} approvals"


def journal_events(
    session: Session, incident: Incident, stumbles: list[Stumble], start: datetime
) -> Iterator[dict[str, object]]:
    """The run's story by offset from the start: timeline events, messages sent, acts refused."""
    entries: list[tuple[datetime, int, dict[str, object]]] = []
    for event in session.scalars(
        select(TimelineEvent).where(TimelineEvent.incident_id == incident.id).order_by(TimelineEvent.id)
    ):
        entries.append((event.at, 0, {"kind": event.kind, "actor": event.actor, "summary": event.summary}))
    sent = session.execute(
        select(Notification.sent_at, Notification.template, Person.key)
        .join(Person, Person.id == Notification.person_id, isouter=True)
        .where(Notification.incident_id == incident.id, Notification.sent_at.is_not(None))
        .order_by(Notification.id)
    )
    for at, template, person in sent:
        entries.append((at, 1, {"kind": "message", "actor": person, "summary": template}))
    for stumble in stumbles:
        entries.append(
            (
                stumble.at,
                2,
                {"kind": "stumble", "actor": stumble.who, "summary": f"{stumble.act}: {stumble.reason}"},
            )
        )
    for at, _, entry in sorted(entries, key=lambda e: (e[0], e[1])):
        yield {"at": int((at - start).total_seconds()), **entry}
