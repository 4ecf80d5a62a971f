"""What every `cellule review` action shares: one transaction, refusals that change nothing, reading times."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session

from cellule.commands.common import console, fail, open_runtime, reader_zone
from flows.kit.loading import NoKit
from flows.quorum import QuorumError
from flows.reviews import ReviewError, find_case
from flows.runtime import Runtime
from models import Incident, Person, ReviewCase, incident_by_ref, transaction
from notifications import dispatch_due

Ref = Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")]
Case = Annotated[str, typer.Argument(help="The review case, e.g. R1 (or the platform's review id).")]
As = Annotated[str | None, typer.Option("--as", help="Who you are: your key in the kit, e.g. claire.morel.")]
Who = Annotated[str, typer.Option("--as", help="Who you are: your key in the kit, e.g. claire.morel.")]
At = Annotated[
    str | None, typer.Option("--at", help="When (2026-11-26 14:30, your time zone); default: now.")
]
MAX_FILE_BYTES = 20_000_000  # a hotel's whole booking history fits; a mistaken disk image does not


@dataclass(frozen=True)
class Done:
    incident_id: int | None
    said: Text
    code: int = 0  # 1: recorded, but not done (a platform refused the reply)


def run(act: Callable[[Session, Runtime], Done]) -> None:
    """One transaction for the action; refused → nothing stored, exit 2; done → send what it queued."""
    runtime = open_runtime()
    try:
        with transaction(runtime.sessions) as session:
            done = act(session, runtime)
    except (ReviewError, QuorumError, NoKit) as exc:
        refuse(exc)
    console.print(done.said)
    if done.incident_id is not None:
        with console.status("Sending the messages…"):
            dispatch_due(
                runtime.sessions, channels=runtime.channels, now=runtime.now(), incident_id=done.incident_id
            )
    if done.code:
        raise typer.Exit(done.code)


def refuse(exc: Exception) -> NoReturn:
    fail(escape(str(exc)) + "\nNothing was changed.", code=2)


def incident(session: Session, ref: str) -> Incident:
    found = incident_by_ref(session, ref)
    if found is None:
        fail(escape(f"No incident {ref!r}."), code=2, hint="`cellule incidents --all` lists them.")
    return found


def case(session: Session, ref: str, label: str) -> ReviewCase:
    return find_case(session, incident=incident(session, ref), label=label, for_update=True)


def person(session: Session, key: str) -> Person:
    found = session.scalars(select(Person).where(Person.key == key.strip().lower())).first()
    if found is None:
        fail(
            escape(f"Nobody has the key {key!r} in the crisis kit."),
            code=2,
            hint="`cellule kit show` lists them.",
        )
    return found


def actor(session: Session, key: str | None) -> str | None:
    """The key of whoever acts, checked against the kit; None when they did not say."""
    return person(session, key).key if key else None


def when(value: str | None, tz: str | None, now: datetime) -> datetime:
    """A moment as people type it (`2026-11-26 14:30`, in their zone unless it says), or now."""
    if value is None:
        return now
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(escape(f"{value!r} is not a date and time: write it like 2026-11-26 14:30."), code=2)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=reader_zone(tz))
    return moment


def read_text_file(file: Path, *, what: str) -> str:
    """A UTF-8 file's text, refused with a clear reason when it is missing, huge or not text."""
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        fail(escape(f"Cannot read {file}: {exc.strerror or exc}."), code=2)
    if len(raw) > MAX_FILE_BYTES:
        fail(escape(f"{file} is over 20 MB: is it really the {what}?"), code=2)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(escape(f"{file} is not UTF-8 text: export it as CSV UTF-8 from your spreadsheet."), code=2)
