"""Read one incident for its post-mortem: a fixed number of queries, whatever the length of its timeline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.exit_on_top.statements import PUBLISHED_EVENT
from flows.postmortem.facts import (
    ActionFact,
    CommitmentFact,
    DecisionFact,
    DraftFact,
    EventFact,
    IncidentRecord,
    MemberFact,
    Notes,
    SignalFact,
    StatementFact,
)
from flows.postmortem.reading_reviews import read_reviews
from flows.postmortem.targets import response_targets
from flows.refusals import NotFound
from models import (
    MILESTONES,
    ActionItem,
    Approval,
    Commitment,
    Decision,
    Draft,
    Incident,
    Participant,
    Person,
    PostMortem,
    PublicReply,
    Signal,
    Target,
    TimelineEvent,
)


class UnknownIncident(NotFound, LookupError):
    """No incident has this id or reference."""


@dataclass
class _Drafts:
    """The incident's drafts as facts, and the exact words approved for each (draft id, version)."""

    facts: dict[int, DraftFact] = field(default_factory=dict)
    approved_words: dict[tuple[int, int], str] = field(default_factory=dict)


def read_record(session: Session, *, incident_id: int) -> IncidentRecord:
    """Everything the post-mortem says about the incident; `UnknownIncident` if there is none."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise UnknownIncident(f"no incident #{incident_id}")
    people = {p.id: p for p in session.scalars(select(Person))}
    drafts = _drafts(session, incident.id, people)
    events = _events(session, incident.id)
    reviews, replies = read_reviews(session, incident_id=incident.id)
    statements = [*_statements(events, drafts), *_replies(replies, drafts)]
    lead = people.get(incident.lead_id) if incident.lead_id else None
    return IncidentRecord(
        id=incident.id,
        ref=incident.ref,
        title=incident.title,
        attack_type=incident.attack_type.value,
        severity=incident.severity.value,
        status=incident.status.value,
        is_drill=incident.is_drill,
        target=session.get_one(Target, incident.target_id).name,
        exit_branch=incident.exit_branch,
        benefit=incident.benefit,
        lead_name=lead.name if lead else None,
        milestones={name: getattr(incident, name) for name in MILESTONES},
        targets=response_targets(session, incident=incident),
        first_draft_at=min((d.created_at for d in drafts.facts.values()), default=None),
        signals=_signals(session, incident.id),
        events=events,
        cell=_cell(session, incident.id, people),
        drafts=tuple(drafts.facts.values()),
        statements=tuple(sorted(statements, key=lambda s: s.at)),
        reviews=reviews,
        commitments=_commitments(session, incident.id, people),
        actions=_actions(session, incident.id, people),
        notes=read_notes(session, incident_id=incident.id),
    )


def _events(session: Session, incident_id: int) -> tuple[EventFact, ...]:
    # Plain columns rather than entities: a 10,000-event timeline is read without building ORM objects.
    rows = session.execute(
        select(
            TimelineEvent.at,
            TimelineEvent.kind,
            TimelineEvent.actor,
            TimelineEvent.summary,
            TimelineEvent.old,
            TimelineEvent.new,
        )
        .where(TimelineEvent.incident_id == incident_id)
        .order_by(TimelineEvent.at, TimelineEvent.id)
    )
    return tuple(EventFact(*row) for row in rows)


def _signals(session: Session, incident_id: int) -> tuple[SignalFact, ...]:
    rows = session.execute(
        select(
            Signal.observed_at,
            Signal.platform,
            Signal.source,
            Signal.author,
            Signal.rating,
            Signal.reach,
            Signal.text,
            Signal.url,
            Signal.reported_by,
        )
        .where(Signal.incident_id == incident_id)
        .order_by(Signal.observed_at, Signal.id)
    )
    return tuple(SignalFact(*row) for row in rows)


def _cell(session: Session, incident_id: int, people: dict[int, Person]) -> tuple[MemberFact, ...]:
    members = session.scalars(
        select(Participant).where(Participant.incident_id == incident_id).order_by(Participant.id)
    )
    return tuple(
        MemberFact(
            role=m.role,
            rank=m.rank,
            person_key=people[m.person_id].key,
            person_name=people[m.person_id].name,
            status=m.status.value,
            called_at=m.called_at,
            acknowledged_at=m.acknowledged_at,
            declined_at=m.declined_at,
            timed_out_at=m.timed_out_at,
        )
        for m in members
    )


def _drafts(session: Session, incident_id: int, people: dict[int, Person]) -> _Drafts:
    rows = session.scalars(select(Draft).where(Draft.incident_id == incident_id).order_by(Draft.number)).all()
    found = _Drafts()
    decisions: dict[int, list[DecisionFact]] = defaultdict(list)
    approvals = session.scalars(
        select(Approval)
        .where(Approval.draft_id.in_([d.id for d in rows]))
        .order_by(Approval.decided_at, Approval.id)
    )
    for a in approvals:
        decisions[a.draft_id].append(
            DecisionFact(
                person_name=people[a.person_id].name,
                role=a.role,
                version=a.version,
                decision=a.decision.value,
                comment=a.comment,
                decided_at=a.decided_at,
                text_sha256=a.text_sha256,
                voided=a.voided_at is not None,
            )
        )
        if a.decision == Decision.APPROVE:
            # Approvers keep the exact words they read: an edited draft still shows what went out.
            found.approved_words.setdefault((a.draft_id, a.version), a.text)
    for d in rows:
        found.approved_words[(d.id, d.version)] = d.text
        found.facts[d.id] = DraftFact(
            label=d.label,
            kind=d.kind.value,
            locale=d.locale,
            version=d.version,
            status=d.status.value,
            author_name=people[d.author_id].name,
            created_at=d.created_at,
            approved_at=d.approved_at,
            text=d.text,
            decisions=tuple(decisions[d.id]),
        )
    return found


def _statements(events: tuple[EventFact, ...], drafts: _Drafts) -> list[StatementFact]:
    found = []
    for event in events:
        new: dict[str, Any] = event.new or {}
        if event.kind != PUBLISHED_EVENT or int(new.get("draft_id", 0)) not in drafts.facts:
            continue
        draft_id = int(new["draft_id"])
        fact = drafts.facts[draft_id]
        version = int(new.get("version") or fact.version)
        found.append(
            StatementFact(
                label=fact.label,
                kind=fact.kind,
                locale=fact.locale,
                version=version,
                where=str(new.get("where") or ""),
                url=new.get("url"),
                by=str(new.get("by_name") or event.actor or ""),
                at=event.at,
                simulated=bool(new.get("simulated")),
                text=drafts.approved_words.get((draft_id, version), fact.text),
                text_sha256=new.get("text_sha256"),
            )
        )
    return found


def _replies(replies: list[PublicReply], drafts: _Drafts) -> list[StatementFact]:
    """Public replies to reviews are public words too."""
    found = []
    for reply in replies:
        if reply.published_at is None or reply.draft_id is None or reply.draft_id not in drafts.facts:
            continue
        fact = drafts.facts[reply.draft_id]
        found.append(
            StatementFact(
                label=fact.label,
                kind=fact.kind,
                locale=fact.locale,
                version=fact.version,
                where=reply.connector or "",
                url=reply.published_url,
                by=reply.published_by or "",
                at=reply.published_at,
                simulated=False,
                text=fact.text,
                text_sha256=reply.published_text_sha256,
            )
        )
    return found


def _commitments(session: Session, incident_id: int, people: dict[int, Person]) -> tuple[CommitmentFact, ...]:
    rows = session.scalars(
        select(Commitment).where(Commitment.incident_id == incident_id).order_by(Commitment.id)
    )
    return tuple(
        CommitmentFact(
            label=f"C{n}",  # the same labels as `cellule commitments`: rank by id, rows are never deleted
            text=c.text,
            owner_name=people[c.owner_id].name,
            due_at=c.due_at,
            status=c.status.value,
            kept_at=c.kept_at,
            proof_url=c.proof_url,
            dropped_reason=c.dropped_reason,
        )
        for n, c in enumerate(rows, start=1)
    )


def _actions(session: Session, incident_id: int, people: dict[int, Person]) -> tuple[ActionFact, ...]:
    rows = session.scalars(
        select(ActionItem).where(ActionItem.incident_id == incident_id).order_by(ActionItem.number)
    )
    return tuple(
        ActionFact(
            label=a.label,
            text=a.text,
            owner_key=people[a.owner_id].key,
            owner_name=people[a.owner_id].name,
            due_at=a.due_at,
            status=a.status.value,
            done_at=a.done_at,
        )
        for a in rows
    )


def read_notes(session: Session, *, incident_id: int) -> Notes:
    """What people wrote for the incident's post-mortem (empty `Notes` when nobody has yet)."""
    row = session.scalars(select(PostMortem).where(PostMortem.incident_id == incident_id)).one_or_none()
    if row is None:
        return Notes()

    def listed(values: list[Any] | None) -> tuple[str, ...] | None:
        return None if values is None else tuple(str(v) for v in values)

    return Notes(
        went_well=listed(row.went_well),
        went_wrong=listed(row.went_wrong),
        lucky=listed(row.lucky),
        edited_at=row.notes_edited_at,
        edited_by=row.notes_edited_by,
    )
