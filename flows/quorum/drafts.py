"""Putting public text up for approval, and changing it: every change is a version the cell approves anew."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from flows.quorum.ballots import EDITED, cell_roles, draft_facts
from flows.quorum.requests import queue_approval_requests
from flows.quorum.rules import QuorumError, clean_draft_text, text_sha256
from models import Approval, Draft, DraftKind, DraftStatus, Incident, IncidentStatus, Person, record_event

_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,4})?$")
_FINISHED = frozenset({IncidentStatus.CLOSED, IncidentStatus.DISMISSED})
_UNEDITABLE = frozenset({DraftStatus.PUBLISHED, DraftStatus.WITHDRAWN})


def propose_draft(
    session: Session,
    *,
    incident: Incident,
    author: Person,
    kind: DraftKind,
    text: str,
    locale: str,
    at: datetime,
    available: set[str],
) -> Draft:
    """Put a public text up for approval as the incident's next draft (D1, D2…) and ask its approvers.

    The author must be in the incident's cell; `locale` is the language of the public text; `available`
    names the channels approval requests may be routed through.
    """
    text = clean_draft_text(text)
    if not _LOCALE.match(locale):
        raise QuorumError(f"{locale!r} is not a language code (write it like fr, en or de).")
    if incident.status in _FINISHED:
        raise QuorumError(f"{incident.ref} is {incident.status}: no public text is prepared for it any more.")
    cell_roles(session, incident=incident, person=author)
    # The incident row is the lock that keeps draft numbers unique when two people propose at once.
    session.execute(select(Incident.id).where(Incident.id == incident.id).with_for_update())
    last = session.scalar(select(func.max(Draft.number)).where(Draft.incident_id == incident.id))
    draft = Draft(
        incident_id=incident.id,
        number=(last or 0) + 1,
        kind=kind,
        locale=locale,
        text=text,
        text_sha256=text_sha256(text),
        version=1,
        status=DraftStatus.AWAITING_APPROVAL,
        author_id=author.id,
        created_at=at,
        updated_at=at,
        reminders_sent=0,
    )
    session.add(draft)
    session.flush()
    asked = queue_approval_requests(session, draft=draft, incident=incident, at=at, available=available)
    names = ", ".join(f"{p.name} ({role})" for p, role in asked) or "nobody: no approver in the cell"
    record_event(
        session,
        incident=incident,
        at=at,
        kind="draft_proposed",
        actor=author.key,
        summary=f"{author.name} proposed {draft.label} ({kind}); approval asked of {names}",
        new=draft_facts(draft) | {"status": draft.status.value, "asked": [p.key for p, _ in asked]},
    )
    return draft


def edit_draft(
    session: Session, *, draft: Draft, editor: Person, text: str, at: datetime, available: set[str]
) -> Draft:
    """Replace the text with a new version: decisions on earlier versions are voided, approvers asked again.

    Any member of the cell may edit; whoever edits a version cannot approve it. A published draft stays.
    """
    text = clean_draft_text(text)
    session.refresh(draft, with_for_update=True)  # re-read under a lock: decisions may be landing
    incident = session.get_one(Incident, draft.incident_id)
    if draft.status in _UNEDITABLE:
        raise QuorumError(f"{draft.label} is {draft.status}: it can no longer be edited.")
    cell_roles(session, incident=incident, person=editor)
    if text_sha256(text) == draft.text_sha256:
        raise QuorumError(f"The text of {draft.label} is unchanged: there is nothing new to approve.")
    voided = session.scalars(
        select(Approval)
        .options(joinedload(Approval.person))
        .where(Approval.draft_id == draft.id, Approval.voided_at.is_(None))
        .order_by(Approval.id)
    ).all()
    for approval in voided:
        approval.voided_at = at
    old = draft_facts(draft) | {"status": draft.status.value}
    draft.version += 1
    draft.text, draft.text_sha256 = text, text_sha256(text)
    draft.status, draft.approved_at, draft.updated_at = DraftStatus.AWAITING_APPROVAL, None, at
    draft.reminders_sent = 0  # a new version is a new wait
    record_event(
        session,
        incident=incident,
        at=at,
        kind=EDITED,
        actor=editor.key,
        summary=f"{editor.name} edited {draft.label}: version {draft.version}, awaiting approval",
        old=old,
        new=draft_facts(draft) | {"status": draft.status.value, "editor_id": editor.id},
    )
    if voided:
        who = ", ".join(f"{a.person.name} ({a.decision} v{a.version})" for a in voided)
        record_event(
            session,
            incident=incident,
            at=at,
            kind="approvals_voided",
            actor=editor.key,
            summary=f"{draft.label} changed, so {len(voided)} earlier decision(s) no longer count: {who}",
            old={"draft": draft.label, "approvals": [a.id for a in voided]},
            new={"draft": draft.label, "voided_at": at.isoformat()},
        )
    queue_approval_requests(session, draft=draft, incident=incident, at=at, available=available)
    return draft
