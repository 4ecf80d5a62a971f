"""What people name at a door, found once for every door: an incident by its reference, a person by
their key (or Slack user), a draft by its label, a moment as typed, a file's text under a size cap.

Each lookup refuses with a `NotFound` (or a `Refusal`) whose message a person can act on; the door
adds its own hint from the refusal's `kind` and `details`. Nothing here writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.refusals import NotFound, Refusal
from models import Draft, Incident, Notification, Person, incident_by_ref

_DRAFT_LABEL = re.compile(r"[dD]?(\d{1,6})")


def incident_by_reference(session: Session, *, ref: str, for_update: bool = False) -> Incident:
    """The incident `ref` (any letter case), or `NotFound` (kind "no_incident")."""
    found = incident_by_ref(session, ref, for_update=for_update)
    if found is None:
        raise NotFound(f"No incident {ref!r}.", kind="no_incident", ref=ref)
    return found


def person_by_key(session: Session, *, key: str) -> Person:
    """The kit's person with this key (any letter case), or `NotFound` (kind "no_person")."""
    found = session.scalars(select(Person).where(Person.key == key.strip().lower())).first()
    if found is None:
        raise NotFound(f"Nobody has the key {key!r} in the crisis kit.", kind="no_person", key=key)
    return found


def person_by_slack_user(session: Session, *, slack_user_id: str) -> Person | None:
    """The kit's person with this Slack user id, if any."""
    return session.scalars(select(Person).where(Person.slack_user_id == slack_user_id)).first()


def message_by_key(session: Session, *, key: str) -> Notification | None:
    """The message Cellule queued under this idempotency key (a button's value names it), if any."""
    return session.scalars(select(Notification).where(Notification.key == key)).first()


def draft_number(label: str) -> int | None:
    """The number a draft label names: `D1`, `d1` or `1` → 1; None when it names no draft."""
    match = _DRAFT_LABEL.fullmatch(str(label).strip())
    return int(match.group(1)) if match else None


def draft_by_label(session: Session, *, incident: Incident, label: str, for_update: bool = False) -> Draft:
    """The incident's draft `label` (D1, d1 or 1), or `NotFound` (kind "no_draft")."""
    number = draft_number(label)
    found = None
    if number is not None:
        query = select(Draft).where(Draft.incident_id == incident.id, Draft.number == number)
        found = session.scalars(query.with_for_update() if for_update else query).first()
    if found is None:
        raise NotFound(f"{incident.ref} has no draft {label!r}.", kind="no_draft", ref=incident.ref)
    return found


def typed_moment(value: str, *, zone: ZoneInfo, now: datetime, past_only: bool = False) -> datetime:
    """A moment as people type it (`2026-11-26 14:30` or `2026-11-26T14:30`), in `zone` unless it says
    its own, in the clock's zone. `past_only`: what it records has happened, so the future is refused."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Refusal(f"{value!r} is not a date and time: write it like 2026-11-26 14:30.") from None
    moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
    if past_only and moment > now:
        raise Refusal(f"{value} is in the future: record it once it has happened.")
    return moment.astimezone(now.tzinfo)


def typed_day(value: str, *, zone: ZoneInfo) -> datetime:
    """The midnight (in `zone`) that starts the day typed as YYYY-MM-DD."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise Refusal(f"{value!r} is not a date: write it YYYY-MM-DD.") from None
    return datetime.combine(day, time(0), zone)


@dataclass(frozen=True)
class FileCap:
    """How much of a file a door reads, and what to say past it (`what` it should be)."""

    max_bytes: int
    too_big: str  # e.g. "a draft holds at most 5,000 characters"
    not_text: str = "save it as UTF-8 in your editor"


DRAFT_FILE = FileCap(1_000_000, "a draft holds at most 5,000 characters")  # the quorum says the real limit
STATEMENT_FILE = FileCap(1_000_000, "a statement holds at most 5,000 characters")
NOTES_FILE = FileCap(1_000_000, "post-mortem notes are a few pages of YAML")
# A hotel's whole booking history fits; a mistaken disk image does not.
SPREADSHEET = "export it as CSV UTF-8 from your spreadsheet"
CUSTOMER_FILE = FileCap(20_000_000, "is it really the customer list?", SPREADSHEET)
REVIEW_FILE = FileCap(20_000_000, "is it really the review?", SPREADSHEET)


def file_bytes(path: Path, *, cap: FileCap) -> bytes:
    """A file's bytes, refused with a clear reason when it cannot be read or is over `cap`."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(cap.max_bytes + 1)
    except OSError as exc:
        raise NotFound(f"Cannot read {path}: {exc.strerror or exc}.", kind="no_file") from None
    if len(raw) > cap.max_bytes:
        raise Refusal(f"{path} is over {_size(cap.max_bytes)}: {cap.too_big}.", kind="file_too_big")
    return raw


def file_text(path: Path, *, cap: FileCap) -> str:
    """A UTF-8 file's text (a byte-order mark is dropped), refused when missing, huge or not text."""
    try:
        return file_bytes(path, cap=cap).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refusal(f"{path} is not UTF-8 text: {cap.not_text}.", kind="not_text") from None


def _size(max_bytes: int) -> str:
    return f"{max_bytes // 1_000_000} MB" if max_bytes >= 1_000_000 else f"{max_bytes:,} bytes"
