"""The quorum's messages, through the outbox: asking approvers, and telling the writers what was decided.

Keys name the incident, the draft, its version and the person, so each is queued once per version and a
Slack button's value (the key) says exactly which version was clicked.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.quorum.ballots import approval_policy, eligible_approvers, standing_decisions, writers_of
from models import Draft, Incident, Person
from notifications import message_person


def draft_key(draft: Draft) -> str:
    """The outbox key prefix of the draft's current version."""
    return f"incident:{draft.incident_id}/draft:{draft.number}/v{draft.version}"


def queue_approval_requests(
    session: Session, *, draft: Draft, incident: Incident, at: datetime, available: set[str]
) -> list[tuple[Person, str]]:
    """Ask every eligible approver (never a writer) to decide on the current version; who was asked.

    Idempotent: calling it again (say, after a backup joined the cell) asks only those not yet asked.
    """
    policy = approval_policy(session, incident=incident)
    writers = writers_of(session, draft)
    asked = eligible_approvers(session, incident=incident, policy=policy, exclude=writers)
    names = {
        pid: name
        for pid, name in session.execute(select(Person.id, Person.name).where(Person.id.in_(writers)))
    }
    context = {
        "ref": incident.ref,
        "title": incident.title,
        "draft": draft.label,
        "kind": draft.kind.value,
        "text": draft.text,
        "author_name": names[draft.author_id],
        "editor_name": names[writers[-1]] if len(writers) > 1 else None,
        "version": draft.version,
        "policy": policy.model_dump(mode="json", include={"approvers", "from_roles", "distinct_roles"}),
        "is_drill": incident.is_drill,
    }
    for person, role in asked:
        message_person(
            session,
            incident=incident,
            person=person,
            key=f"{draft_key(draft)}/approve/person:{person.id}",
            template="approval_request",
            context={**context, "person_name": person.name, "person_key": person.key, "role": role},
            available=available,
            at=at,
        )
    return asked


def tell_writers(
    session: Session,
    *,
    draft: Draft,
    incident: Incident,
    at: datetime,
    available: set[str],
    decided_by: Person | None = None,
    role: str | None = None,
    comment: str | None = None,
    approvers: Collection[int] = (),
) -> None:
    """Tell whoever wrote this version (the author, and its editor) that it was approved or sent back.

    A rejection names `decided_by`, their `role` and `comment`; an approval lists the `approvers`.
    """
    outcome = "rejected" if decided_by is not None else "approved"
    standing = {a.person_id: a for a in standing_decisions(session, draft=draft)}
    approved_by = [{"name": standing[p].person.name, "role": standing[p].role} for p in approvers]
    for writer_id in dict.fromkeys(writers_of(session, draft)):
        writer = session.get_one(Person, writer_id)
        message_person(
            session,
            incident=incident,
            person=writer,
            key=f"{draft_key(draft)}/{outcome}/person:{writer.id}",
            template="draft_decision",
            context={
                "ref": incident.ref,
                "title": incident.title,
                "draft": draft.label,
                "kind": draft.kind.value,
                "version": draft.version,
                "decision": outcome,
                "person_name": writer.name,
                "person_key": writer.key,
                "decided_by": decided_by.name if decided_by else None,
                "role": role,
                "comment": comment,
                "approvers": approved_by,
                "is_drill": incident.is_drill,
            },
            available=available,
            at=at,
        )
