"""The account inventory in the store: what the kit (or a CSV import) declares, and what happened since.

An import is the whole inventory of its kind. An account missing from it leaves the inventory (kept, no
longer audited). An access missing from it is *not* taken as revoked: only a person recording the
revocation says it is gone (`flows.prepare.offboarding.mark_revoked`), so until then the audit keeps asking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from flows.kit.schema import AccountSpec, GrantSpec
from models import AccessGrant, Person, SocialAccount


@dataclass
class InventoryChange:
    """What one import changed, for the person who ran it."""

    accounts_added: int = 0
    accounts_updated: int = 0
    accounts_retired: int = 0
    grants_added: int = 0
    grants_updated: int = 0
    grants_unlisted: int = 0  # live grants the import no longer lists: revocation still to record
    still_revoked: list[str] = field(default_factory=list)  # listed, but revoked after they were granted


@dataclass(frozen=True)
class ReferenceProblem:
    """A name in an import that the store does not know: `section.index.field: reason`."""

    section: str  # accounts | access
    index: int
    field: str
    reason: str


def reference_problems(
    session: Session, *, accounts: Sequence[AccountSpec] | None, grants: Sequence[GrantSpec] | None
) -> list[ReferenceProblem]:
    """Every person or account an import names that the store (or the import itself) does not hold."""
    people = set(session.scalars(select(Person.key)))
    if accounts is not None:
        known_accounts = {a.key for a in accounts}
    else:
        known_accounts = set(session.scalars(select(SocialAccount.key).where(SocialAccount.active)))
    problems = []
    for i, account in enumerate(accounts or []):
        for name in ("owner", "two_factor_holder", "recovery_owner"):
            if (key := getattr(account, name)) is not None and key not in people:
                problems.append(ReferenceProblem("accounts", i, name, f"{key!r} is not one of the people"))
    keys = [a.key for a in accounts or []]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            problems.append(ReferenceProblem("accounts", i, "key", f"{key!r} is listed twice"))
    seen: set[tuple[str, str]] = set()
    for i, grant in enumerate(grants or []):
        if grant.account not in known_accounts:
            reason = f"{grant.account!r} is not an account of the inventory"
            problems.append(ReferenceProblem("access", i, "account", reason))
        if grant.person not in people:
            reason = f"{grant.person!r} is not one of the people"
            problems.append(ReferenceProblem("access", i, "person", reason))
        if (grant.account, grant.person) in seen:
            reason = f"{grant.person!r} is already listed for {grant.account!r}"
            problems.append(ReferenceProblem("access", i, "person", reason))
        seen.add((grant.account, grant.person))
    return problems


def apply_inventory(
    session: Session,
    *,
    accounts: Sequence[AccountSpec] | None,
    grants: Sequence[GrantSpec] | None,
    at: datetime,
) -> InventoryChange:
    """Bring the stored inventory to what was declared (None: that part is left alone). Never commits.

    The caller has checked the references (`reference_problems`, or the kit's own validation).
    """
    change = InventoryChange()
    people = {p.key: p for p in session.scalars(select(Person))}
    if accounts is not None:
        _apply_accounts(session, accounts, people, at, change)
    if grants is not None:
        _apply_grants(session, grants, people, at, change)
    session.flush()
    return change


def _apply_accounts(
    session: Session,
    specs: Sequence[AccountSpec],
    people: dict[str, Person],
    at: datetime,
    change: InventoryChange,
) -> None:
    existing = {a.key: a for a in session.scalars(select(SocialAccount))}
    wanted = {spec.key for spec in specs}
    for account in existing.values():
        if account.key not in wanted and account.active:
            account.active = False
            account.updated_at = at
            change.accounts_retired += 1

    def person_id(key: str | None) -> int | None:
        return people[key].id if key is not None else None

    for spec in specs:
        account = existing.get(spec.key)
        if account is None:
            account = SocialAccount(key=spec.key, linked_apps=[])
            session.add(account)
            change.accounts_added += 1
        else:
            change.accounts_updated += 1
        account.platform = spec.platform
        account.handle = spec.handle
        account.url = spec.url
        account.brand = spec.brand
        account.owner_id = person_id(spec.owner)
        account.credentials_in = spec.credentials_in
        account.credentials_shared = spec.credentials_shared
        account.two_factor = spec.two_factor
        account.two_factor_holder_id = person_id(spec.two_factor_holder)
        account.recovery_owner_id = person_id(spec.recovery_owner)
        account.recovery_contact = spec.recovery_contact
        account.credentials_rotated_on = spec.credentials_rotated
        account.linked_apps = list(spec.linked_apps)
        account.active = True
        account.updated_at = at
    session.flush()


def _apply_grants(
    session: Session,
    specs: Sequence[GrantSpec],
    people: dict[str, Person],
    at: datetime,
    change: InventoryChange,
) -> None:
    accounts = {a.key: a for a in session.scalars(select(SocialAccount))}
    rows = session.scalars(select(AccessGrant).order_by(AccessGrant.id)).all()
    live = {(g.account_id, g.person_id): g for g in rows if g.is_live}
    last_revoked = {(g.account_id, g.person_id): g for g in rows if not g.is_live}
    listed: set[int] = set()
    for spec in specs:
        account, person = accounts[spec.account], people[spec.person]
        pair = (account.id, person.id)
        grant = live.get(pair)
        if grant is None:
            revoked = last_revoked.get(pair)
            # A stale file must not bring back an access someone revoked: only a later grant date does.
            if revoked is not None and (spec.granted is None or spec.granted <= revoked.revoked_at.date()):
                change.still_revoked.append(f"{spec.person} on {spec.account}")
                continue
            grant = AccessGrant(account_id=account.id, person_id=person.id, created_at=at)
            session.add(grant)
            live[pair] = grant
            change.grants_added += 1
        else:
            change.grants_updated += 1
        grant.level = spec.level
        grant.via = spec.via
        grant.shared = spec.shared
        grant.granted_on = spec.granted
        grant.unlisted_at = None
        session.flush()
        listed.add(grant.id)
    for grant in live.values():
        if grant.id not in listed and grant.unlisted_at is None:
            grant.unlisted_at = at
            change.grants_unlisted += 1


def inventory_accounts(session: Session, *, include_retired: bool = False) -> list[SocialAccount]:
    """The accounts of the inventory, by platform then handle."""
    query = select(SocialAccount).order_by(SocialAccount.platform, SocialAccount.handle)
    if not include_retired:
        query = query.where(SocialAccount.active)
    return list(session.scalars(query))


def inventory_grants(
    session: Session, *, include_revoked: bool = False, person_id: int | None = None
) -> list[AccessGrant]:
    """The access grants (live ones unless asked), with their account and person loaded."""
    query = (
        select(AccessGrant)
        .options(joinedload(AccessGrant.account), joinedload(AccessGrant.person))
        .order_by(AccessGrant.id)
    )
    if not include_revoked:
        query = query.where(AccessGrant.revoked_at.is_(None))
    if person_id is not None:
        query = query.where(AccessGrant.person_id == person_id)
    return list(session.scalars(query))
