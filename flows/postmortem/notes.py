"""The hot wash's notes: what went well / wrong / where we got lucky, and the action items, as a YAML file.

`export_notes` writes what the report shows today (people's words, else the facts pre-filled) with the
action items; a person edits it; `apply_notes` stores it in one transaction. Action items are never
deleted: an item left out of the file stays as it was, one marked `dropped` says it was decided against.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.kit.schema import Key, Strict
from flows.postmortem.facts import IncidentRecord
from flows.postmortem.lessons import prefilled_lessons
from flows.postmortem.metrics import record_response_times
from flows.postmortem.render import SECTIONS, lesson_text
from flows.refusals import Refusal
from models import ActionItem, ActionStatus, Incident, Person, PostMortem, record_event
from notifications.render import clean_text

MAX_NOTE_CHARS = 2000
MAX_NOTES = 50
Sentence = Annotated[str, Field(min_length=1, max_length=MAX_NOTE_CHARS)]
Sentences = Annotated[list[Sentence], Field(max_length=MAX_NOTES)]


class NotesError(Refusal, ValueError):
    """Notes that cannot be stored; the message lists every problem, one per line."""


class ActionSpec(Strict):
    """One action item as people write it; `id` (A1…) updates an existing one, none adds a new one."""

    id: Annotated[str | None, Field(default=None, pattern=r"^[Aa]?\d{1,4}$")] = None
    text: Sentence
    owner: Key
    due: date
    status: ActionStatus = ActionStatus.OPEN


class NotesFile(Strict):
    """The file `cellule postmortem REF --notes FILE` takes. A section left out keeps what it had."""

    went_well: Sentences | None = None
    went_wrong: Sentences | None = None
    lucky: Sentences | None = None
    action_items: Annotated[list[ActionSpec], Field(max_length=MAX_NOTES)] = Field(default_factory=list)


def export_notes(record: IncidentRecord, *, locale: str, zone: ZoneInfo, as_of: datetime) -> str:
    """The notes as YAML, ready to edit: people's words where they wrote some, else the pre-filled facts."""
    lessons = prefilled_lessons(record, record_response_times(record, as_of=as_of), as_of=as_of)
    document: dict[str, Any] = {}
    for name in SECTIONS:
        edited = getattr(record.notes, name)
        document[name] = (
            list(edited)
            if edited is not None
            else [lesson_text(lesson, locale, zone) for lesson in getattr(lessons, name)]
        )
    document["action_items"] = [
        {
            "id": a.label,
            "text": a.text,
            "owner": a.owner_key,
            "due": a.due_at.astimezone(zone).date(),
            "status": a.status,
        }
        for a in record.actions
    ]
    header = (
        f"# Post-mortem notes for {record.ref}. Edit the sentences, add action items (text, owner: a key of\n"
        "# the kit, due: YYYY-MM-DD, status: open|done|dropped), then: "
        f"cellule postmortem {record.ref} --notes FILE\n"
    )
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110)


def apply_notes(
    session: Session, *, incident: Incident, notes: NotesFile, by: str, zone: ZoneInfo, at: datetime
) -> PostMortem:
    """Store the notes and the action items; `NotesError` (nothing written) if any of them is wrong.

    A due date is the end of that day in the writer's zone. Never commits.
    """
    session.refresh(incident, with_for_update=True)  # numbering A1, A2… must not race another writer
    people = {p.key: p for p in session.scalars(select(Person))}
    items = {
        a.number: a for a in session.scalars(select(ActionItem).where(ActionItem.incident_id == incident.id))
    }
    problems = [
        f"action_items.{i}.owner: {spec.owner!r} is not one of the people of the kit"
        for i, spec in enumerate(notes.action_items)
        if spec.owner not in people
    ]
    problems += [
        f"action_items.{i}.id: {incident.ref} has no action item {spec.id}"
        for i, spec in enumerate(notes.action_items)
        if spec.id is not None and _number(spec.id) not in items
    ]
    if problems:
        raise NotesError("\n".join(problems))
    row = post_mortem_row(session, incident=incident, at=at)
    for name in SECTIONS:
        if (sentences := getattr(notes, name)) is not None:
            setattr(row, name, [clean_text(s).strip() for s in sentences if clean_text(s).strip()])
    row.notes_edited_at, row.notes_edited_by = at, by
    next_number = max(items, default=0) + 1
    touched = []
    for spec in notes.action_items:
        due = datetime.combine(spec.due, time(23, 59), zone).astimezone(UTC)
        if spec.id is None:
            item = ActionItem(incident_id=incident.id, number=next_number, created_at=at)
            session.add(item)
            next_number += 1
        else:
            item = items[_number(spec.id)]
        item.text, item.owner_id = clean_text(spec.text).strip(), people[spec.owner].id
        item.due_at, item.updated_at = due, at
        if item.status != spec.status:
            item.done_at = at if spec.status is ActionStatus.DONE else None
        item.status = spec.status
        touched.append(item)
    session.flush()
    labels = ", ".join(i.label for i in touched) or "none"
    record_event(
        session,
        incident=incident,
        at=at,
        kind="postmortem_notes",
        actor=by,
        summary=f"post-mortem notes edited by {by}; action items: {labels}",
        new={"action_items": [i.label for i in touched]},
    )
    return row


def _number(label: str) -> int:
    return int(label.upper().removeprefix("A"))


def post_mortem_row(session: Session, *, incident: Incident, at: datetime) -> PostMortem:
    """The incident's post-mortem row, created if missing (the caller's transaction keeps it)."""
    row = session.scalars(select(PostMortem).where(PostMortem.incident_id == incident.id)).one_or_none()
    if row is None:
        row = PostMortem(incident_id=incident.id, created_at=at)
        session.add(row)
    return row


def open_action_count(session: Session, *, incident_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                ActionItem.incident_id == incident_id, ActionItem.status.in_(ActionStatus.open_statuses())
            )
        )
        or 0
    )
