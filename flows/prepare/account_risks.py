"""The risks of the accounts themselves: second factor, recovery, credentials, names, who still holds access.

A narrow check of the inventory alone — people, accounts, live grants — so the account-takeover brief can
say what is wrong with one account without running the whole readiness audit; the audit reuses it.
`read_inventory` reads the rows once; `account_findings` is a pure function of what it read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from flows.kit.schema import Kit
from flows.prepare.findings import DUTIES, LEVELS, Category, Finding
from flows.prepare.usernames import account_label, broken_rule, platform_name, same_name, usual_name
from models import AccessGrant, Person, SocialAccount


@dataclass(frozen=True)
class PersonFacts:
    key: str
    name: str
    active: bool  # False: gone from the kit
    locale: str
    email: str | None
    slack_user_id: str | None


@dataclass(frozen=True)
class AccountFacts:
    key: str
    platform: str
    handle: str
    brand: str | None
    owner: str | None  # person keys
    credentials_in: str | None
    credentials_shared: bool
    two_factor: bool
    two_factor_holder: str | None
    recovery_owner: str | None
    rotated_on: date | None

    @property
    def label(self) -> str:
        return account_label(self.platform, self.handle)


@dataclass(frozen=True)
class GrantFacts:
    id: int
    account: str  # account key
    person: str  # person key
    level: str
    shared: bool
    unlisted: bool  # dropped from the inventory without a recorded revocation


@dataclass(frozen=True)
class Inventory:
    """The accounts, the live grants on them, and everyone who was ever in the kit, read at one moment."""

    people: Mapping[str, PersonFacts]  # everyone who was ever in the kit
    accounts: tuple[AccountFacts, ...]  # in the inventory
    grants: tuple[GrantFacts, ...]  # live (not revoked), on accounts of the inventory
    rotate_every: timedelta  # the kit's cadence for changing credentials
    now: datetime


def read_inventory(session: Session, *, kit: Kit, now: datetime) -> Inventory:
    """Read the people, the inventory's accounts and their live grants."""
    everyone = session.scalars(select(Person)).all()
    people = {
        p.key: PersonFacts(p.key, p.name, p.active, p.locale, p.email, p.slack_user_id) for p in everyone
    }
    keys = {p.id: p.key for p in everyone}
    accounts = session.scalars(select(SocialAccount).where(SocialAccount.active).order_by(SocialAccount.id))
    grants = session.scalars(
        select(AccessGrant)
        .join(SocialAccount, SocialAccount.id == AccessGrant.account_id)
        .where(AccessGrant.revoked_at.is_(None), SocialAccount.active)
        .options(joinedload(AccessGrant.account))
        .order_by(AccessGrant.id)
    )
    return Inventory(
        people=people,
        accounts=tuple(
            AccountFacts(
                a.key,
                a.platform,
                a.handle,
                a.brand,
                keys.get(a.owner_id),
                a.credentials_in,
                a.credentials_shared,
                a.two_factor,
                keys.get(a.two_factor_holder_id),
                keys.get(a.recovery_owner_id),
                a.credentials_rotated_on,
            )
            for a in accounts
        ),
        grants=tuple(
            GrantFacts(g.id, g.account.key, keys[g.person_id], g.level, g.shared, g.unlisted_at is not None)
            for g in grants
        ),
        rotate_every=kit.readiness.rotate_credentials_every,
        now=now,
    )


def account_findings(inventory: Inventory) -> list[Finding]:
    """What is wrong with the accounts and the access to them, most severe first."""
    return by_severity([*_account_findings(inventory), *_access_findings(inventory)])


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first; within a severity, by category, then by what they are about."""
    return sorted(findings, key=lambda f: (f.severity.rank, list(Category).index(f.category), f.subject))


def _account_findings(s: Inventory) -> Iterator[Finding]:
    if not s.accounts:
        yield Finding("no_accounts", "inventory")
        return
    today = s.now.date()
    cadence = s.rotate_every
    for a in s.accounts:
        base = {"account": a.label, "platform": platform_name(a.platform)}
        if not a.two_factor:
            yield Finding("two_factor_off", a.label, base, a.key)
        elif a.two_factor_holder is None:
            yield Finding("two_factor_holder_missing", a.label, base, a.key)
        duties = [("owner", a.owner), ("recovery_owner", a.recovery_owner)]
        if a.two_factor:
            duties.append(("two_factor_holder", a.two_factor_holder))
        for duty, key in duties:
            if key is not None and not s.people[key].active:
                params = {**base, "duty": DUTIES[duty], "person": s.people[key].name}
                yield Finding("account_person_gone", a.label, params, a.key)
        if a.recovery_owner is None:
            yield Finding("recovery_owner_missing", a.label, base, a.key)
        if a.credentials_in is None:
            yield Finding("credentials_location_unknown", a.label, base, a.key)
        if a.rotated_on is None:
            yield Finding("rotation_unknown", a.label, {**base, "today": today.isoformat()}, a.key)
        elif today - a.rotated_on > cadence:
            params = {**base, "since": a.rotated_on.isoformat(), "days": str(cadence.days)}
            yield Finding("credentials_stale", a.label, {**params, "today": today.isoformat()}, a.key)
        sharers = [s.people[g.person].name for g in s.grants if g.account == a.key and g.shared]
        if a.credentials_shared or sharers:
            who = f" ({', '.join(sharers)})" if sharers else ""
            yield Finding("shared_login", a.label, {**base, "who": who}, a.key)
        if rule := broken_rule(a.platform, a.handle):
            yield Finding("handle_breaks_rules", a.label, {**base, "rule": rule.said}, a.key)
    yield from _handle_findings(s.accounts)


def _handle_findings(accounts: tuple[AccountFacts, ...]) -> Iterator[Finding]:
    """Within each brand, the accounts whose name differs from the one most accounts use."""
    by_brand: dict[str | None, list[AccountFacts]] = defaultdict(list)
    for account in accounts:
        by_brand[account.brand].append(account)
    for group in by_brand.values():
        usual = usual_name([a.handle for a in group])
        if usual is None:
            continue
        elsewhere = sorted(
            {platform_name(a.platform) for a in group if same_name(a.handle) == same_name(usual)}
        )
        for a in group:
            if same_name(a.handle) != same_name(usual):
                params = {"account": a.label, "platform": platform_name(a.platform), "usual": usual}
                yield Finding("handle_differs", a.label, {**params, "elsewhere": ", ".join(elsewhere)}, a.key)


def _access_findings(s: Inventory) -> Iterator[Finding]:
    labels = {a.key: a for a in s.accounts}
    for g in s.grants:
        person, account = s.people[g.person], labels[g.account]
        params: dict[str, str | dict[str, str]] = {
            "person": person.name,
            "person_key": person.key,
            "level": LEVELS[g.level],
            "account": account.label,
            "platform": platform_name(account.platform),
            "grant": str(g.id),
        }
        if not person.active:
            yield Finding("departed_holds_access", account.label, params, account.key)
        elif g.unlisted:
            yield Finding("access_unlisted", account.label, params, account.key)
