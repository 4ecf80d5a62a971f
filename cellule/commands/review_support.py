"""What every `cellule review` action shares: one transaction, refusals that change nothing, reading times."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands.common import console, follow_up, open_runtime, reader_zone
from flows.lookups import (
    CUSTOMER_FILE,
    REVIEW_FILE,
    file_text,
    incident_by_reference,
    person_by_key,
    typed_moment,
)
from flows.reviews import find_case
from flows.runtime import Runtime
from models import Incident, Person, ReviewCase, transaction

Ref = Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")]
Case = Annotated[str, typer.Argument(help="The review case, e.g. R1 (or the platform's review id).")]
As = Annotated[str | None, typer.Option("--as", help="Who you are: your key in the kit, e.g. claire.morel.")]
Who = Annotated[str, typer.Option("--as", help="Who you are: your key in the kit, e.g. claire.morel.")]
At = Annotated[
    str | None, typer.Option("--at", help="When (2026-11-26 14:30, your time zone); default: now.")
]
FILES = {"customer list": CUSTOMER_FILE, "review": REVIEW_FILE}


@dataclass(frozen=True)
class Done:
    incident_id: int | None
    said: Text
    code: int = 0  # 1: recorded, but not done (a platform refused the reply)


def run(act: Callable[[Session, Runtime], Done]) -> None:
    """One transaction for the action (a refusal stores nothing); done → send what it queued."""
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        done = act(session, runtime)
    console.print(done.said)
    if done.incident_id is not None:
        follow_up(runtime, [done.incident_id], doing="Sending the messages…", protocol=False)
    if done.code:
        raise typer.Exit(done.code)


def incident(session: Session, ref: str) -> Incident:
    return incident_by_reference(session, ref=ref)


def case(session: Session, ref: str, label: str) -> ReviewCase:
    return find_case(session, incident=incident(session, ref), label=label, for_update=True)


def person(session: Session, key: str) -> Person:
    return person_by_key(session, key=key)


def actor(session: Session, key: str | None) -> str | None:
    """The key of whoever acts, checked against the kit; None when they did not say."""
    return person(session, key).key if key else None


def when(value: str | None, tz: str | None, now: datetime) -> datetime:
    """A moment as people type it (`2026-11-26 14:30`, in their zone unless it says), or now."""
    return now if value is None else typed_moment(value, zone=reader_zone(tz), now=now)


def read_text_file(file: Path, *, what: str) -> str:
    """A UTF-8 file's text, refused with a clear reason when it is missing, huge or not text."""
    return file_text(file, cap=FILES[what])
