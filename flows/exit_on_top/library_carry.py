"""Carrying the approved library into a drill's throwaway store, so a drill rehearses the real library.

A simulated drill plays in an empty store with the kit loaded afresh: the kit brings the library's
texts, not their approvals, which live in the real store. The front door reads what stands there
(`approved_library`) and the drill writes it into its own store (`carry_library`) — the same words, the
same approvers, roles, dates and expiries — before the first signal lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.exit_on_top.library_store import current_text, new_version, standing
from flows.kit.schema import Kit
from models import LibraryApproval, Person


@dataclass(frozen=True)
class CarriedApproval:
    person_key: str
    role: str
    decided_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class CarriedText:
    """One approved library text, as the real store holds it."""

    entry_key: str
    locale: str
    text: str
    author_key: str
    approvals: tuple[CarriedApproval, ...]


def approved_library(session: Session, *, kit: Kit, now: datetime) -> tuple[CarriedText, ...]:
    """Every library text whose quorum stands at `now`, with the approvals it rests on."""
    carried = []
    for entry in kit.statements:
        for locale in ("fr", "en"):
            held = standing(session, kit=kit, entry=entry, locale=locale, now=now)
            if not held.approved or held.text is None:
                continue
            author = session.get_one(Person, held.text.author_id).key
            approvals = tuple(
                CarriedApproval(a.person.key, a.role, a.decided_at, a.expires_at) for a in held.counted
            )
            carried.append(CarriedText(entry.key, locale, held.text.text, author, approvals))
    return tuple(carried)


def carry_library(session: Session, *, texts: Sequence[CarriedText], at: datetime) -> None:
    """Write `texts` and their approvals into this (fresh) store, whose kit is already loaded."""
    people = {p.key: p for p in session.scalars(select(Person))}
    for carried in texts:
        text = current_text(session, key=carried.entry_key, locale=carried.locale)
        if text is None or text.text != carried.text:
            author = people[carried.author_key]
            text = new_version(session, carried.entry_key, carried.locale, carried.text, author, "edit", at)
        for approval in carried.approvals:
            session.add(
                LibraryApproval(
                    text_id=text.id,
                    person=people[approval.person_key],
                    role=approval.role,
                    text=text.text,
                    text_sha256=text.text_sha256,
                    decided_at=approval.decided_at,
                    expires_at=approval.expires_at,
                )
            )
    session.flush()
