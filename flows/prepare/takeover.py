"""An account takeover: who holds the account's rights and its way back in, and what to do first.

The first minutes of a hijacked account go to finding out who can still log in, who has the second factor
and who owns the recovery email. The inventory already knows; the prepare phase hands it to the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.inventory import inventory_accounts, inventory_grants
from flows.kit.schema import Kit
from flows.prepare.account_risks import account_findings, read_inventory
from flows.prepare.findings import LEVELS, Finding
from flows.prepare.usernames import account_label, platform_name
from models import Incident, Person, Signal, SocialAccount, Target

MAX_ACCOUNTS = 10  # when nothing narrows it down, the cell gets the first ones and the command to see all
# Where a platform takes hacked-account reports (the platforms' own recovery pages).
REPORT_PAGES = {
    "instagram": "https://www.instagram.com/hacked/",
    "facebook": "https://www.facebook.com/hacked/",
}


@dataclass(frozen=True)
class Right:
    person: str
    level: str
    via: str | None
    shared: bool
    gone: bool  # the person has left the kit


@dataclass(frozen=True)
class AccountAccess:
    """What the cell must know about one account in the first minutes of a takeover."""

    key: str
    platform: str
    handle: str
    url: str | None
    owner: str | None
    credentials_in: str | None
    credentials_shared: bool
    two_factor: bool
    two_factor_holder: str | None
    recovery_owner: str | None
    recovery_contact: str | None
    linked_apps: tuple[str, ...]
    rights: tuple[Right, ...]
    risks: tuple[Finding, ...]  # the account check's findings about it, most severe first

    @property
    def label(self) -> str:
        return account_label(self.platform, self.handle)

    @property
    def summary(self) -> str:
        """One line for the timeline (kept in English, like the rest of the audit trail)."""
        rights = ", ".join(_right_words(r) for r in self.rights) or "nobody recorded"
        factor = f"on, held by {self.two_factor_holder or 'nobody recorded'}" if self.two_factor else "OFF"
        recovery = self.recovery_owner or "nobody recorded"
        if self.recovery_contact:
            recovery += f" ({self.recovery_contact})"
        parts = [
            f"rights: {rights}",
            f"two-factor: {factor}",
            f"recovery: {recovery}",
            f"linked apps: {', '.join(self.linked_apps) or 'none recorded'}",
            f"credentials: {self.credentials_in or 'nobody knows where'}"
            + (" (shared login)" if self.credentials_shared else ""),
        ]
        return f"{self.label} — " + "; ".join(parts)

    def as_context(self, locale: str) -> dict[str, object]:
        """Plain values for the cell's message, said in `locale`."""
        return {
            "label": self.label,
            "platform": self.platform,
            "url": self.url,
            "owner": self.owner,
            "credentials_in": self.credentials_in,
            "credentials_shared": self.credentials_shared,
            "two_factor": self.two_factor,
            "two_factor_holder": self.two_factor_holder,
            "recovery_owner": self.recovery_owner,
            "recovery_contact": self.recovery_contact,
            "linked_apps": list(self.linked_apps),
            "report_page": REPORT_PAGES.get(self.platform),
            "rights": [
                {
                    "person": r.person,
                    "level": LEVELS[r.level].get(locale, r.level),
                    "via": r.via,
                    "shared": r.shared,
                    "gone": r.gone,
                }
                for r in self.rights
            ],
            "risks": [f.problem(locale) for f in self.risks],
        }


def steps_summary(accounts: list[AccountAccess]) -> str:
    """The immediate steps, for the timeline."""
    platforms = ", ".join(dict.fromkeys(platform_name(a.platform) for a in accounts)) or "the platform"
    return (
        "first steps: revoke active sessions and linked apps you do not recognise; change the password and "
        "the recovery email and phone; check two-factor is still ours; report the takeover to "
        f"{platforms} through its hacked-account help"
    )


def accounts_concerned(session: Session, *, incident: Incident) -> list[SocialAccount]:
    """The inventory's accounts this incident is about.

    Named in the target or a signal (handle or link) on the signals' platform first, then named anywhere;
    otherwise those on the signals' platforms; otherwise every account, since the cell must then find out
    which one it is.
    """
    accounts = inventory_accounts(session)
    signals = session.scalars(select(Signal).where(Signal.incident_id == incident.id)).all()
    target = session.get_one(Target, incident.target_id)
    haystack = " ".join([target.name, *(s.url or "" for s in signals), *(s.text for s in signals)]).casefold()
    named = [a for a in accounts if _is_named(a, haystack)]
    platforms = {s.platform for s in signals}
    on_platform = [a for a in accounts if a.platform in platforms]
    # One handle is often the same on every platform: the signals' platform tells which account it is.
    named_here = [a for a in named if a in on_platform]
    return named_here or named or on_platform or accounts[:MAX_ACCOUNTS]


def account_access(session: Session, *, incident: Incident, kit: Kit, now: datetime) -> list[AccountAccess]:
    """The access and recovery facts of each account concerned, with the account check's risks for it."""
    concerned = accounts_concerned(session, incident=incident)
    people = {p.id: p for p in session.scalars(select(Person))}
    findings = account_findings(read_inventory(session, kit=kit, now=now))
    grants = inventory_grants(session)

    def name(person_id: int | None) -> str | None:
        return people[person_id].name if person_id is not None else None

    return [
        AccountAccess(
            key=a.key,
            platform=a.platform,
            handle=a.handle,
            url=a.url,
            owner=name(a.owner_id),
            credentials_in=a.credentials_in,
            credentials_shared=a.credentials_shared,
            two_factor=a.two_factor,
            two_factor_holder=name(a.two_factor_holder_id),
            recovery_owner=name(a.recovery_owner_id),
            recovery_contact=a.recovery_contact,
            linked_apps=tuple(a.linked_apps),
            rights=tuple(
                Right(g.person.name, g.level.value, g.via, g.shared, not g.person.active)
                for g in grants
                if g.account_id == a.id
            ),
            risks=tuple(f for f in findings if f.account == a.key),
        )
        for a in concerned
    ]


def _is_named(account: SocialAccount, haystack: str) -> bool:
    handle = re.escape(account.handle.casefold())
    if re.search(rf"(?<![\w.]){handle}(?!\w)", haystack):
        return True
    return bool(account.url) and account.url.casefold().rstrip("/") in haystack


def _right_words(right: Right) -> str:
    details = [right.level]
    if right.via:
        details.append(f"via {right.via}")
    if right.shared:
        details.append("shared login")
    if right.gone:
        details.append("HAS LEFT")
    return f"{right.person} ({', '.join(details)})"
