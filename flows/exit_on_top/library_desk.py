"""The statement library's desk: what the `cellule statements` commands read and do, one call each.

Peacetime work: list the entries and where each text stands, read one with its approvals, write or
approve a text. The rules are the library store's (`library_store.py`); this module resolves the kit in
force and the people by their kit key, so a front door holds no query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.exit_on_top.library_store import (
    LibraryError,
    Standing,
    approve_text,
    find_entry,
    library_policy,
    standing,
    write_text,
)
from flows.kit.library_schema import StatementEntry
from flows.kit.loading import require_kit
from flows.kit.schema import ApprovalPolicy, Kit
from flows.lookups import person_by_key
from models import LibraryText, Person

LOCALES = ("fr", "en")


@dataclass(frozen=True)
class EntryView:
    """One entry as a reader sees it: its texts' standing per language, and the policy they answer to."""

    entry: StatementEntry
    policy: ApprovalPolicy
    texts: tuple[Standing, ...]  # one per language with a text
    writers: dict[int, str]  # person id → name, for every writer and approver shown


def library_overview(session: Session, *, now: datetime) -> list[EntryView]:
    """Every entry of the library in the kit's order, with where each of its texts stands at `now`."""
    kit = require_kit(session)
    return [_view(session, kit, entry, now) for entry in kit.statements]


def library_entry(session: Session, *, key: str, now: datetime) -> EntryView:
    """One entry, with its texts and their approvals; `LibraryError` if the library has no such entry."""
    kit = require_kit(session)
    return _view(session, kit, find_entry(kit, key), now)


def approve_statement(
    session: Session, *, key: str, locale: str, person_key: str, at: datetime, version: int | None = None
) -> Standing:
    """`person_key` approves the entry's current text in `locale` (see `library_store.approve_text`)."""
    kit = require_kit(session)
    return approve_text(
        session, kit=kit, key=key, locale=locale, person=_person(session, person_key), at=at, version=version
    )


def write_statement(
    session: Session, *, key: str, locale: str, person_key: str, text: str, at: datetime, new: bool
) -> LibraryText:
    """`person_key` writes the entry's text in `locale`: `new` proposes a language it lacks, else edits
    the text it has (a new version, voiding its approvals)."""
    kit = require_kit(session)
    exists = standing(session, kit=kit, entry=find_entry(kit, key), locale=locale, now=at).text is not None
    if new and exists:
        raise LibraryError(f"{key} has a text in {locale} already: edit it instead.")
    if not new and not exists:
        raise LibraryError(f"{key} has no text in {locale} yet: propose one first.")
    return write_text(
        session, kit=kit, key=key, locale=locale, person=_person(session, person_key), text=text, at=at
    )


def _view(session: Session, kit: Kit, entry: StatementEntry, now: datetime) -> EntryView:
    texts = tuple(
        held
        for held in (standing(session, kit=kit, entry=entry, locale=loc, now=now) for loc in LOCALES)
        if held.text is not None
    )
    ids = {pid for held in texts for pid in held.writers}
    names = {
        pid: name for pid, name in session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    }
    return EntryView(entry, library_policy(kit, entry), texts, names)


def _person(session: Session, key: str) -> Person:
    return person_by_key(session, key=key)
