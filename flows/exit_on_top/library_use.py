"""A library statement at crisis time: does a draft still rest on the quorum that approved it in peacetime?

A draft proposed from the library carries no approvals of its own: it rests on the library's, cited on
the timeline when it was proposed. It may be published by the incident's lead (or the role the entry
names) as long as those approvals still stand and the words are exactly the rendered ones; once the cell
changes a word, it is an ordinary draft and goes through the crisis quorum.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.exit_on_top.branches import ExitError
from flows.exit_on_top.library_store import LibraryError, find_entry, standing
from flows.kit.loading import require_kit
from flows.quorum.rules import text_sha256
from models import Draft, Incident, Participant, ParticipantStatus, Person, TimelineEvent

LIBRARY_EVENT = "statement_from_library"


def library_use(session: Session, *, draft: Draft) -> dict[str, Any] | None:
    """What the timeline says the draft was rendered from (entry, version, hashes, approvals), or None."""
    events = session.scalars(
        select(TimelineEvent).where(
            TimelineEvent.incident_id == draft.incident_id, TimelineEvent.kind == LIBRARY_EVENT
        )
    )
    return next((e.new for e in events if (e.new or {}).get("draft_id") == draft.id), None)


def rests_on_the_library(
    session: Session, *, draft: Draft, person: Person, at: datetime
) -> dict[str, Any] | None:
    """The library citation when the draft is published on the library's quorum, after checking that
    its approvals still stand and `person` may publish it; None when the draft is the cell's own."""
    use = library_use(session, draft=draft)
    if use is None or draft.version != 1 or text_sha256(draft.text) != use["text_sha256"]:
        return None
    kit = require_kit(session)
    try:
        entry = find_entry(kit, str(use["entry"]))
    except LibraryError:
        raise ExitError(f"{draft.label} came from {use['entry']}, no longer in the library.") from None
    held = standing(session, kit=kit, entry=entry, locale=str(use["locale"]), now=at)
    if not held.approved or held.text is None or held.text.version != use["version"]:
        raise ExitError(
            f"The library's approval of {entry.key} no longer stands (expired, or its text changed): "
            f"{draft.label} now needs the cell's quorum — edit it or ask for approvals."
        )
    incident = session.get_one(Incident, draft.incident_id)
    if not may_publish(session, incident=incident, person=person, role=entry.publish_role):
        who = f"a member holding {entry.publish_role}" if entry.publish_role else "the incident's lead"
        raise ExitError(f"{draft.label} rests on the library's quorum: it is published by {who}.")
    return {k: use[k] for k in ("entry", "version", "template_sha256", "text_sha256", "approvals")}


def may_publish(session: Session, *, incident: Incident, person: Person, role: str | None) -> bool:
    """The incident's lead, or (when the entry names one) a cell member holding `role`."""
    if role is None:
        return incident.lead_id == person.id
    return (
        session.scalar(
            select(Participant.id).where(
                Participant.incident_id == incident.id,
                Participant.person_id == person.id,
                Participant.role == role,
                Participant.status.not_in(ParticipantStatus.gave_up_statuses()),
            )
        )
        is not None
    )
