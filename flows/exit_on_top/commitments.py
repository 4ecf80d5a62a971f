"""Commitments: the public promises made to exit on top, tracked until kept, their owners reminded.

A commitment has a text, an owner (a person of the kit), a due date, and a status: open, kept (with the
proof, a URL anyone can check) or dropped (with the reason: a promise withdrawn is said, never forgotten).
Commitments outlive the incident: a promise due in three months is still chased after the incident is
resolved, by the scheduled `remind_commitments` flow (`flows.exit_on_top.commitment_reminders`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.cadence import next_due, owed
from flows.exit_on_top.branches import ExitError, require_member
from flows.kit.loading import require_kit
from flows.kit.schema import CommitmentReminders, Kit
from models import Commitment, CommitmentStatus, Incident, IncidentStatus, Person, record_event
from notifications import message_person
from notifications.render import clean_text

MAX_TEXT_CHARS = 500  # a promise the public can read in one go
MAX_REASON_CHARS = 2000
_LABEL = re.compile(r"^[cC]?(\d{1,6})$")
_DUE_IN = re.compile(r"^(\d{1,4})\s*([dw])$")
_URL = re.compile(r"^https?://\S{1,1990}$")


def commitments_of(session: Session, *, incident_id: int) -> list[Commitment]:
    """The incident's commitments in the order they were made: C1, C2…"""
    return list(
        session.scalars(
            select(Commitment).where(Commitment.incident_id == incident_id).order_by(Commitment.id)
        )
    )


def label_of(session: Session, commitment: Commitment) -> str:
    """C1, C2…: its rank among the incident's commitments (rows are never deleted, so labels stay)."""
    ids = [c.id for c in commitments_of(session, incident_id=commitment.incident_id)]
    return f"C{ids.index(commitment.id) + 1}"


def find_commitment(session: Session, *, incident: Incident, label: str) -> Commitment:
    """The commitment `label` (C1, c1 or 1) of the incident; `ExitError` if it has none such."""
    match = _LABEL.match(label.strip())
    found = commitments_of(session, incident_id=incident.id)
    if match is None or not 1 <= int(match.group(1)) <= len(found):
        raise ExitError(
            f"{incident.ref} has no commitment {label!r}.", kind="no_commitment", ref=incident.ref
        )
    return found[int(match.group(1)) - 1]


def parse_due(value: str, *, now: datetime, zone: str) -> datetime:
    """A due date as people write it: 2026-12-31 (the end of that day in `zone`), or 30d / 6w from now."""
    value = value.strip().lower()
    if match := _DUE_IN.match(value):
        days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
        return now + timedelta(days=days)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ExitError(f"{value!r} is not a due date: write it 2026-12-31, or 30d (in 30 days).") from None
    return datetime.combine(day, time(23, 59), tzinfo=ZoneInfo(zone)).astimezone(now.tzinfo)


def due_date(
    session: Session, *, incident: Incident, owner: Person, due: str | None, now: datetime
) -> datetime:
    """When a commitment falls due: `due` as people write it (`parse_due`, in the owner's zone), or else
    the delay the incident's playbook gives commitments."""
    if due:
        return parse_due(due, now=now, zone=owner.timezone)
    return now + require_kit(session).playbook_for(incident.attack_type).exit.commitment_due


def record_commitment(
    session: Session,
    *,
    incident: Incident,
    by: Person,
    owner: Person,
    text: str,
    due_at: datetime,
    at: datetime,
) -> Commitment:
    """Record a public commitment of the incident, owned by `owner`, due at `due_at`."""
    if incident.status not in IncidentStatus.open_statuses():
        raise ExitError(f"{incident.ref} is {incident.status}: commitments are made while it is open.")
    require_member(session, incident=incident, person=by)
    text = clean_text(text).strip()
    if not text or len(text) > MAX_TEXT_CHARS:
        raise ExitError(
            f"Write the commitment as the public will read it (1 to {MAX_TEXT_CHARS} characters)."
        )
    if not owner.active:
        raise ExitError(f"{owner.name} is no longer in the crisis kit: a commitment needs an owner who is.")
    if due_at <= at:
        raise ExitError("The due date is already past: a commitment is a promise about the future.")
    commitment = Commitment(
        incident_id=incident.id,
        text=text,
        owner_id=owner.id,
        due_at=due_at,
        status=CommitmentStatus.OPEN,
        reminders_sent=0,
        created_at=at,
    )
    session.add(commitment)
    session.flush()
    label = label_of(session, commitment)
    record_event(
        session,
        incident=incident,
        at=at,
        kind="commitment",
        actor=by.key,
        summary=f"{label} committed, owned by {owner.name}, due {due_at.date().isoformat()}: {text}",
        new={"commitment": label, "text": text, "owner": owner.key, "due_at": due_at.isoformat()},
    )
    return commitment


def keep_commitment(
    session: Session, *, commitment: Commitment, by: Person, proof_url: str, at: datetime
) -> None:
    """Mark an open commitment kept, with the proof anyone can check."""
    incident, label = _settle(session, commitment, by)
    if not _URL.match(proof_url.strip()):
        raise ExitError("The proof is an address anyone can open: https://…")
    commitment.status, commitment.kept_at = CommitmentStatus.KEPT, at
    commitment.proof_url = proof_url.strip()
    record_event(
        session,
        incident=incident,
        at=at,
        kind="commitment_kept",
        actor=by.key,
        summary=f"{label} kept: {commitment.proof_url}",
        old={"commitment": label, "status": CommitmentStatus.OPEN.value},
        new={"commitment": label, "status": CommitmentStatus.KEPT.value, "proof_url": commitment.proof_url},
    )


def drop_commitment(
    session: Session, *, commitment: Commitment, by: Person, reason: str, at: datetime
) -> None:
    """Withdraw an open commitment, saying why."""
    incident, label = _settle(session, commitment, by)
    reason = clean_text(reason).strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise ExitError(f"Say why the promise is withdrawn (1 to {MAX_REASON_CHARS} characters).")
    commitment.status, commitment.dropped_reason = CommitmentStatus.DROPPED, reason
    record_event(
        session,
        incident=incident,
        at=at,
        kind="commitment_dropped",
        actor=by.key,
        summary=f"{label} dropped: {reason}",
        old={"commitment": label, "status": CommitmentStatus.OPEN.value},
        new={"commitment": label, "status": CommitmentStatus.DROPPED.value, "reason": reason},
    )


def _settle(session: Session, commitment: Commitment, by: Person) -> tuple[Incident, str]:
    """The checks before an open commitment is kept or dropped: by its owner or a member of the cell."""
    session.refresh(commitment, with_for_update=True)
    incident = session.get_one(Incident, commitment.incident_id)
    label = label_of(session, commitment)
    if commitment.status != CommitmentStatus.OPEN:
        raise ExitError(f"{label} of {incident.ref} is already {commitment.status}.")
    if by.id != commitment.owner_id:
        require_member(session, incident=incident, person=by)
    return incident, label


def reminders_owed(due_at: datetime, now: datetime, policy: CommitmentReminders) -> int:
    """How many reminders are owed by `now`: one `before` the due date, then one every `every` late."""
    return owed(
        start=due_at, every=policy.every, now=now, at_most=policy.at_most, first=due_at - policy.before
    )


def next_reminder_at(due_at: datetime, sent: int, policy: CommitmentReminders) -> datetime | None:
    """When the reminder after `sent` falls due; None once the cap is reached."""
    return next_due(
        start=due_at, every=policy.every, sent=sent, at_most=policy.at_most, first=due_at - policy.before
    )


def remind_commitment_owners(session: Session, *, kit: Kit, now: datetime, available: set[str]) -> list[int]:
    """Remind the owner of each open commitment owed a reminder; the incident of each reminder sent.

    One reminder per commitment per run, numbered by how many are owed, so a scheduler that was down for
    a week sends one message, not the backlog.
    """
    rows = session.execute(
        select(Commitment, Incident)
        .join(Incident, Incident.id == Commitment.incident_id)
        .where(Commitment.status == CommitmentStatus.OPEN)
        .order_by(Commitment.id)
        .with_for_update(of=Commitment, skip_locked=True)  # several workers: each commitment once
    ).all()
    reminded = []
    for commitment, incident in rows:
        policy = kit.playbook_for(incident.attack_type).exit.commitment_reminders
        owed = reminders_owed(commitment.due_at, now, policy)
        if owed <= commitment.reminders_sent:
            continue
        commitment.reminders_sent = owed
        _remind(session, commitment, incident, now=now, available=available, at_most=policy.at_most)
        reminded.append(incident.id)
    return reminded


def _remind(
    session: Session,
    commitment: Commitment,
    incident: Incident,
    *,
    now: datetime,
    available: set[str],
    at_most: int,
) -> None:
    owner = session.get_one(Person, commitment.owner_id)
    label, late = label_of(session, commitment), now > commitment.due_at
    count = commitment.reminders_sent
    message_person(
        session,
        incident=incident,
        person=owner,
        key=f"incident:{incident.id}/commitment:{commitment.id}/reminder:{count}/person:{owner.id}",
        template="commitment_reminder",
        context={
            "ref": incident.ref,
            "commitment": label,
            "text": commitment.text,
            "due_at": commitment.due_at.isoformat(),
            "late": late,
            "count": count,
            "at_most": at_most,
            "person_name": owner.name,
            "person_key": owner.key,
            "timezone": owner.timezone,
            "is_drill": incident.is_drill,
        },
        available=available,
        at=now,
    )
    state = "is late" if late else f"is due {commitment.due_at.date().isoformat()}"
    record_event(
        session,
        incident=incident,
        at=now,
        kind="reminder",
        summary=f"{label} {state}: {owner.name} reminded ({count}/{at_most})",
    )
