"""Offboarding: the day someone leaves, what must be taken back and who takes over.

The handbook's reason for individual access: the day a temp or an intern leaves, their access is revoked.
The plan lists every live access to revoke, the roles their departure leaves (covered by a backup, or
not), the accounts whose two-factor or recovery they hold, and the drafts they still own. Revoking is done
on the platform by a person; Cellule records who did it and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from flows.kit.inventory import inventory_accounts, inventory_grants
from flows.lookups import person_by_key
from flows.prepare.usernames import account_label
from flows.refusals import NotFound, Refusal
from models import (
    AccessGrant,
    Draft,
    DraftStatus,
    Incident,
    IncidentStatus,
    Person,
    RosterEntry,
)

_DRAFTS_IN_PLAY = (DraftStatus.AWAITING_APPROVAL, DraftStatus.APPROVED, DraftStatus.REJECTED)


class OffboardingError(Refusal, ValueError):
    """A request that cannot be carried out as asked; nothing was recorded."""


@dataclass(frozen=True)
class RoleHandover:
    """What becomes of one role the person holds."""

    role: str
    was_primary: bool
    successor: str | None  # the name of who takes over as primary; None when the role is left uncovered
    backups_left: int  # after the departure

    @property
    def uncovered(self) -> bool:
        return self.successor is None


@dataclass(frozen=True)
class AccountDuty:
    """An account where the person holds more than an access: ownership, the second factor, the recovery."""

    account: str  # the account's label, e.g. "instagram @hoteldeslilas"
    duties: tuple[str, ...]  # owner | two_factor_holder | recovery_owner


@dataclass(frozen=True)
class DraftInPlay:
    incident_ref: str
    label: str  # D1, D2…
    kind: str
    status: str


@dataclass(frozen=True)
class OffboardingPlan:
    person_key: str
    person_name: str
    still_in_kit: bool
    grants: tuple[AccessGrant, ...]  # live access to revoke
    roles: tuple[RoleHandover, ...]
    duties: tuple[AccountDuty, ...]
    drafts: tuple[DraftInPlay, ...]

    @property
    def uncovered_roles(self) -> list[str]:
        return [r.role for r in self.roles if r.uncovered]


def find_person(session: Session, key: str) -> Person:
    """The person with this key, in the kit or gone from it; `OffboardingError` when nobody has it."""
    try:
        return person_by_key(session, key=key)
    except NotFound:
        raise OffboardingError(f"Nobody has the key {key!r}.", kind="no_person") from None


def offboarding_plan(session: Session, *, person_key: str) -> OffboardingPlan:
    """Everything to do before (or since) this person left."""
    person = find_person(session, person_key)
    grants = inventory_grants(session, person_id=person.id)
    return OffboardingPlan(
        person_key=person.key,
        person_name=person.name,
        still_in_kit=person.active,
        grants=tuple(grants),
        roles=tuple(_handovers(session, person)),
        duties=tuple(_duties(session, person)),
        drafts=tuple(_drafts(session, person)),
    )


def mark_revoked(
    session: Session, *, person_key: str, grant_ids: Sequence[int], by_key: str, at: datetime
) -> list[AccessGrant]:
    """Record that these grants of the person were revoked on the platform, by whom and when. Never commits.

    All or nothing: a grant that is not theirs, or already revoked, refuses the whole request.
    """
    person = find_person(session, person_key)
    by = find_person(session, by_key)
    if not by.active:
        raise OffboardingError(f"{by.name} ({by.key}) is no longer in the kit: who revoked it now?")
    grants = []
    for grant_id in dict.fromkeys(grant_ids):
        grant = session.get(AccessGrant, grant_id, with_for_update=True)
        if grant is None or grant.person_id != person.id:
            raise OffboardingError(f"{person.name} has no access grant number {grant_id}.")
        if grant.revoked_at is not None:
            revoker = session.get(Person, grant.revoked_by_id) if grant.revoked_by_id else None
            who = f" by {revoker.name}" if revoker else ""
            raise OffboardingError(
                f"Grant {grant_id} was already recorded as revoked on {grant.revoked_at:%Y-%m-%d}{who}."
            )
        grant.revoked_at = at
        grant.revoked_by_id = by.id
        grants.append(grant)
    session.flush()
    return grants


def _handovers(session: Session, person: Person) -> list[RoleHandover]:
    query = select(RosterEntry).options(joinedload(RosterEntry.person))
    entries = session.scalars(query.order_by(RosterEntry.role, RosterEntry.rank)).all()
    roles = sorted({e.role for e in entries if e.person_id == person.id})
    handovers = []
    for role in roles:
        # In rank order: the person, and whoever else can still be called.
        holders = [
            e.person for e in entries if e.role == role and (e.person.active or e.person_id == person.id)
        ]
        others = [p for p in holders if p.id != person.id]
        was_primary = holders[0].id == person.id
        successor = others[0].name if others else None
        handovers.append(RoleHandover(role, was_primary, successor, max(len(others) - 1, 0)))
    return handovers


def _duties(session: Session, person: Person) -> list[AccountDuty]:
    duties = []
    for account in inventory_accounts(session):
        held = tuple(
            name
            for name, holder in (
                ("owner", account.owner_id),
                ("two_factor_holder", account.two_factor_holder_id),
                ("recovery_owner", account.recovery_owner_id),
            )
            if holder == person.id
        )
        if held:
            duties.append(AccountDuty(account_label(account.platform, account.handle), held))
    return duties


def _drafts(session: Session, person: Person) -> list[DraftInPlay]:
    rows = session.execute(
        select(Draft, Incident.ref)
        .join(Incident, Incident.id == Draft.incident_id)
        .where(
            Draft.author_id == person.id,
            Draft.status.in_(_DRAFTS_IN_PLAY),
            Incident.status.in_(IncidentStatus.open_statuses()),
        )
        .order_by(Incident.ref, Draft.number)
    ).all()
    return [DraftInPlay(ref, draft.label, draft.kind.value, draft.status.value) for draft, ref in rows]
