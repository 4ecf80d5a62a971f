"""The readiness audit's look at the statement library: texts unapproved, or whose approval lapsed.

Such a text is not offered in a crisis (see flows/exit_on_top/library.py), so the first public word falls
back to the full quorum: the audit says so while there is time to approve it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from flows.exit_on_top.library_store import standing
from flows.kit.schema import Kit
from flows.prepare.findings import LANGUAGES, Finding
from notifications.render import LOCALES


@dataclass(frozen=True)
class StatementFacts:
    """Where one library text stands: approved (until when), lapsed, or short of its quorum."""

    key: str
    locale: str
    approved: bool
    lapsed_on: date | None  # its approval lapsed on that day, and nothing replaced it
    still_needed: str  # what the quorum still asks, in words


def statement_facts(session: Session, *, kit: Kit, now: datetime) -> Iterator[StatementFacts]:
    """Each library text of the kit, as the audit reads it at `now`."""
    for entry in kit.statements:
        for locale in LOCALES:
            held = standing(session, kit=kit, entry=entry, locale=locale, now=now)
            if held.text is None:
                continue
            lapsed = max((a.expires_at for a in held.expired if a.expires_at), default=None)
            yield StatementFacts(
                entry.key,
                locale,
                held.approved,
                lapsed.date() if lapsed and held.stale else None,
                held.state.explanation if held.state else "",
            )


def statement_findings(statements: tuple[StatementFacts, ...]) -> Iterator[Finding]:
    """A library text not approved, or whose approval lapsed, will not be offered in a crisis."""
    for text in statements:
        if text.approved:
            continue
        params: dict[str, str | dict[str, str]] = {
            "entry": text.key,
            "locale": text.locale,
            "language": LANGUAGES.get(text.locale, {"en": text.locale, "fr": text.locale}),
        }
        if text.lapsed_on is not None:
            yield Finding(
                "statement_approval_expired",
                f"{text.key} ({text.locale})",
                params | {"since": text.lapsed_on.isoformat()},
            )
        else:
            yield Finding("statement_unapproved", f"{text.key} ({text.locale})", params)
