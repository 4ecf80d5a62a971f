"""The statement library as stored: each entry's texts as versions, and the quorum's approvals of them.

The kit declares the entries and their first words; a changed text in the kit, or a person's edit, is a
new version, and voids the approvals of the earlier ones. Approvals follow the quorum's own rule
(`flows.quorum.rules.evaluate_quorum`: distinct roles, never the writers) under the approval policy of the
playbook the entry answers; each keeps the exact words and their SHA-256, and lapses after the entry's
review period. Services take the session and never commit. See docs/statement-library.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from flows.kit.library_schema import StatementEntry, add_months, used_variables
from flows.kit.schema import ApprovalPolicy, Kit
from flows.quorum.rules import QuorumError, QuorumState, clean_draft_text, evaluate_quorum, text_sha256
from models import Decision, LibraryApproval, LibraryText, Person, RosterEntry


class LibraryError(QuorumError):
    """A library action refused, with the reason in words the person can act on."""


@dataclass(frozen=True)
class _Ballot:
    person_id: int
    role: str
    decision: Decision = Decision.APPROVE


@dataclass(frozen=True)
class Standing:
    """Where one entry's text in one language stands at a moment."""

    entry: StatementEntry
    locale: str
    text: LibraryText | None
    counted: tuple[LibraryApproval, ...]  # unexpired, on the current version
    expired: tuple[LibraryApproval, ...]  # on the current version, past their review date
    state: QuorumState | None
    writers: tuple[int, ...]

    @property
    def approved(self) -> bool:
        return self.state is not None and self.state.approved

    @property
    def stale(self) -> bool:
        """Approved once, no longer: an approval lapsed and the rest are not enough."""
        return not self.approved and bool(self.expired)

    @property
    def expires_at(self) -> datetime | None:
        """When the quorum stops holding if nobody approves again (the first counted approval to lapse)."""
        ends = [a.expires_at for a in self.counted if a.expires_at is not None]
        return min(ends, default=None) if self.approved else None


def library_policy(kit: Kit, entry: StatementEntry) -> ApprovalPolicy:
    """The approval policy the entry is held to: that of the playbook it answers, as a crisis draft is."""
    return kit.playbook_for(entry.attack_type).approval


def find_entry(kit: Kit, key: str) -> StatementEntry:
    """The library entry named `key`; `LibraryError` naming the known ones otherwise."""
    for entry in kit.statements:
        if entry.key == key:
            return entry
    known = ", ".join(e.key for e in kit.statements) or "none: the kit has no statements section"
    raise LibraryError(f"The library has no statement {key!r} (its entries: {known}).")


def sync_library(session: Session, *, kit: Kit, at: datetime) -> list[LibraryText]:
    """Bring the stored texts up to the kit just loaded: a text the kit changed is a new version.

    Compared with the kit's previous words, not with a person's later edit, so reloading an unchanged
    kit never undoes an edit made with `cellule statements edit`.
    """
    people = {p.key: p for p in session.scalars(select(Person))}
    added = []
    for entry in kit.statements:
        author = people[entry.author or kit.kit.owner]
        for locale, text in entry.texts.items():
            text = clean_draft_text(text)
            from_kit = session.scalars(
                select(LibraryText)
                .where(
                    LibraryText.entry_key == entry.key,
                    LibraryText.locale == locale,
                    LibraryText.source == "kit",
                )
                .order_by(LibraryText.version.desc())
                .limit(1)
            ).first()
            if from_kit is None or from_kit.text_sha256 != text_sha256(text):
                added.append(new_version(session, entry.key, locale, text, author, "kit", at))
    return added


def current_text(session: Session, *, key: str, locale: str) -> LibraryText | None:
    """The latest version of the entry's text in `locale`, or None."""
    return session.scalars(
        select(LibraryText)
        .where(LibraryText.entry_key == key, LibraryText.locale == locale)
        .order_by(LibraryText.version.desc())
        .limit(1)
    ).first()


def standing(session: Session, *, kit: Kit, entry: StatementEntry, locale: str, now: datetime) -> Standing:
    """The quorum of the entry's current text in `locale` at `now`: expired approvals do not count."""
    text = current_text(session, key=entry.key, locale=locale)
    if text is None:
        return Standing(entry, locale, None, (), (), None, ())
    approvals = session.scalars(
        select(LibraryApproval)
        .options(joinedload(LibraryApproval.person))
        .where(LibraryApproval.text_id == text.id, LibraryApproval.voided_at.is_(None))
        .order_by(LibraryApproval.decided_at, LibraryApproval.id)
    ).all()
    fresh = [a for a in approvals if (a.expires_at is None or a.expires_at > now) and _exact(a, text)]
    expired = [a for a in approvals if a.expires_at is not None and a.expires_at <= now]
    writers = _writers(session, text)
    state = evaluate_quorum(
        [_Ballot(a.person_id, a.role) for a in fresh], library_policy(kit, entry), writers[0], writers=writers
    )
    return Standing(entry, locale, text, tuple(fresh), tuple(expired), state, writers)


def approve_text(
    session: Session, *, kit: Kit, key: str, locale: str, person: Person, at: datetime, version: int | None
) -> Standing:
    """Record `person`'s approval of the entry's current text in `locale`, with its words and hash.

    Refused to whoever wrote the version, to anyone whose roster roles the policy does not name, and on
    a version other than the one read; approving twice changes nothing.
    """
    entry = find_entry(kit, key)
    text = current_text(session, key=key, locale=locale)
    if text is None:
        raise LibraryError(f"{key} has no text in {locale} yet: propose one first.")
    session.refresh(text, with_for_update=True)  # two approvers at once: one row each, decided in turn
    if version is not None and version != text.version:
        raise LibraryError(
            f"{key} ({locale}) changed since you read it: you approved version {version}, it is now "
            f"version {text.version}. Read the new text, then approve again."
        )
    if person.id in _writers(session, text):
        raise LibraryError(f"{person.name} wrote {key} ({locale}): its approval must come from others.")
    if not person.active:
        raise LibraryError(f"{person.name} is no longer in the kit: only its people approve its texts.")
    policy = library_policy(kit, entry)
    role = _approving_role(session, person, policy)
    mine = session.scalars(
        select(LibraryApproval).where(
            LibraryApproval.text_id == text.id,
            LibraryApproval.person_id == person.id,
            LibraryApproval.voided_at.is_(None),
        )
    ).one_or_none()
    months = entry.review_every_months
    expires = add_months(at, months) if months else None
    if mine is None:
        mine = LibraryApproval(text_id=text.id, person=person, role=role)
        session.add(mine)
    elif mine.expires_at is None or mine.expires_at > at:
        return standing(session, kit=kit, entry=entry, locale=locale, now=at)  # a repeated approval
    mine.text, mine.text_sha256, mine.decided_at, mine.expires_at = text.text, text.text_sha256, at, expires
    session.flush()
    return standing(session, kit=kit, entry=entry, locale=locale, now=at)


def write_text(
    session: Session, *, kit: Kit, key: str, locale: str, person: Person, text: str, at: datetime
) -> LibraryText:
    """A person's new words for the entry in `locale`: a new version, voiding every earlier approval.

    The text may use only the entry's declared variables (anything else is the cell's to write, later,
    as a draft through the crisis quorum).
    """
    entry = find_entry(kit, key)
    if locale not in ("fr", "en"):
        raise LibraryError(f"{locale!r} is not a language of the library (fr or en).")
    if not person.active:
        raise LibraryError(f"{person.name} is no longer in the kit: only its people write its texts.")
    text = clean_draft_text(text)
    try:
        unknown = sorted(used_variables(text) - set(entry.variables))
    except ValueError as exc:
        raise LibraryError(str(exc)) from None
    if unknown:
        raise LibraryError(
            f"The text uses {', '.join(unknown)}, which {key} does not declare "
            f"(its variables: {', '.join(entry.variables) or 'none'})."
        )
    current = current_text(session, key=key, locale=locale)
    if current is not None and current.text_sha256 == text_sha256(text):
        raise LibraryError(f"The text of {key} ({locale}) is unchanged: there is nothing new to approve.")
    return new_version(session, key, locale, text, person, "edit", at)


def new_version(
    session: Session, key: str, locale: str, text: str, author: Person, source: str, at: datetime
) -> LibraryText:
    """Store the next version and void every approval of the earlier ones: they read other words."""
    last = session.scalar(
        select(func.max(LibraryText.version)).where(
            LibraryText.entry_key == key, LibraryText.locale == locale
        )
    )
    earlier = select(LibraryText.id).where(LibraryText.entry_key == key, LibraryText.locale == locale)
    for approval in session.scalars(
        select(LibraryApproval).where(
            LibraryApproval.text_id.in_(earlier), LibraryApproval.voided_at.is_(None)
        )
    ):
        approval.voided_at = at
    version = LibraryText(
        entry_key=key,
        locale=locale,
        version=(last or 0) + 1,
        text=text,
        text_sha256=text_sha256(text),
        source=source,
        author=author,
        created_at=at,
    )
    session.add(version)
    session.flush()
    return version


def _writers(session: Session, text: LibraryText) -> tuple[int, ...]:
    """Who wrote the current words: the first version's author, and this version's."""
    first = session.scalar(
        select(LibraryText.author_id).where(
            LibraryText.entry_key == text.entry_key,
            LibraryText.locale == text.locale,
            LibraryText.version == 1,
        )
    )
    return tuple(dict.fromkeys([first if first is not None else text.author_id, text.author_id]))


def _exact(approval: LibraryApproval, text: LibraryText) -> bool:
    return approval.text_sha256 == text.text_sha256 == text_sha256(approval.text)


def _approving_role(session: Session, person: Person, policy: ApprovalPolicy) -> str:
    """The role `person` approves as: the first of the policy's roles the roster gives them."""
    held = set(session.scalars(select(RosterEntry.role).where(RosterEntry.person_id == person.id)))
    role = next((r for r in policy.from_roles if r in held), None)
    if role is None:
        raise LibraryError(
            f"{person.name} holds {', '.join(sorted(held)) or 'no role'} in the roster; approving a "
            f"library text takes one of these roles: {', '.join(policy.from_roles)}."
        )
    return role
