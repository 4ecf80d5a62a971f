"""What went well, what went wrong, where we got lucky: pre-filled from facts, for people to edit.

A blameless post-mortem states facts about the response, never faults of a person: a target missed, a
role nobody could fill, a text sent back. Each lesson is a code and its values; the templates word it in
the reader's language (`words.j2`, `lessons`). Once someone edits the notes, their words replace these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flows.postmortem.facts import IncidentRecord
from flows.postmortem.metrics import ResponseTime, Verdict

# Timeline kinds that say the response strained, and the lesson code each becomes.
_STRAIN_EVENTS = {"escalated": "escalated", "gap": "gap", "reply_publish_failed": "publish_failed"}
_AVENUE_FAILED = frozenset({"failed"})


@dataclass(frozen=True)
class Lesson:
    code: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lessons:
    went_well: tuple[Lesson, ...]
    went_wrong: tuple[Lesson, ...]
    lucky: tuple[Lesson, ...]


def prefilled_lessons(record: IncidentRecord, times: tuple[ResponseTime, ...], *, as_of: datetime) -> Lessons:
    """The facts a hot wash starts from."""
    return Lessons(
        went_well=tuple(_went_well(record, times)),
        went_wrong=tuple(_went_wrong(record, times, as_of)),
        lucky=tuple(_lucky(record)),
    )


def _went_well(record: IncidentRecord, times: tuple[ResponseTime, ...]) -> list[Lesson]:
    found = [
        Lesson("target_met", {"metric": t.key, "took": t.duration, "target": t.target})
        for t in times
        if t.verdict is Verdict.MET
    ]
    approved = [s for s in record.statements if _was_approved(record, s.label, s.version)]
    if record.statements and len(approved) == len(record.statements):
        found.append(Lesson("quorum_held", {"count": len(approved)}))
    for member in record.cell:
        if member.rank > 1 and member.acknowledged_at is not None:
            found.append(Lesson("backup_answered", {"name": member.person_name, "role": member.role}))
    found += [
        Lesson("commitment_kept", {"label": c.label, "text": c.text})
        for c in record.commitments
        if c.status == "kept" and c.kept_at is not None and c.kept_at <= c.due_at
    ]
    for review in record.reviews:
        for avenue in review.avenues:
            if avenue.status == "succeeded":
                found.append(Lesson("avenue_succeeded", {"review": review.label, "avenue": avenue.name}))
    if record.benefit:
        found.append(Lesson("benefit", {"benefit": record.benefit}))
    return found


def _was_approved(record: IncidentRecord, label: str, version: int | None) -> bool:
    for draft in record.drafts:
        if draft.label == label:
            return any(d.decision == "approve" and d.version == version for d in draft.decisions)
    return False


def _went_wrong(record: IncidentRecord, times: tuple[ResponseTime, ...], as_of: datetime) -> list[Lesson]:
    found = [
        Lesson("target_missed", {"metric": t.key, "took": t.duration, "target": t.target})
        for t in times
        if t.verdict is Verdict.MISSED
    ]
    for member in record.cell:
        if member.declined_at is not None:
            found.append(Lesson("declined", {"name": member.person_name, "role": member.role}))
        if member.timed_out_at is not None:
            found.append(Lesson("timed_out", {"name": member.person_name, "role": member.role}))
    seen: set[tuple[str, str]] = set()
    for event in record.events:
        code = _STRAIN_EVENTS.get(event.kind)
        if code and (code, event.summary) not in seen:  # a re-entrant flow may say it more than once
            seen.add((code, event.summary))
            found.append(Lesson(code, {"summary": event.summary}))
    for c in record.commitments:
        if c.status == "dropped":
            found.append(Lesson("commitment_dropped", {"label": c.label, "reason": c.dropped_reason or ""}))
        elif (c.kept_at or as_of) > c.due_at:
            found.append(Lesson("commitment_late", {"label": c.label, "due": c.due_at}))
    for review in record.reviews:
        for avenue in review.avenues:
            if avenue.status in _AVENUE_FAILED:
                found.append(Lesson("avenue_failed", {"review": review.label, "avenue": avenue.name}))
    return found


def _lucky(record: IncidentRecord) -> list[Lesson]:
    found = []
    for review in record.reviews:
        # Platforms seldom remove a review (DOMAIN.md): when one does, it is luck, not a method.
        if review.outcome == "removed":
            found.append(Lesson("review_removed", {"review": review.label, "platform": review.platform}))
        elif review.outcome == "edited":
            found.append(Lesson("review_edited", {"review": review.label}))
        before, after = review.rating_before, review.rating_after
        if before is not None and after is not None and after >= before:
            found.append(
                Lesson("rating_recovered", {"review": review.label, "before": before, "after": after})
            )
    return found
