"""The roster's cover of roles: who can hold each role a playbook calls, and what the kit lacks.

Read against a playbook at an incident's severity. Shared by `prepare` (which reports the gaps) and
`surround` (which calls people from the roster), so both always agree on who can be called.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from flows.kit.schema import Kit
from models import Incident, Person, RosterEntry


@dataclass(frozen=True)
class RoleCover:
    role: str
    people: tuple[Person, ...]  # active people for the role, primary first

    @property
    def primary(self) -> Person | None:
        return self.people[0] if self.people else None


def required_cover(session: Session, *, incident: Incident, kit: Kit) -> list[RoleCover]:
    """For each role the playbook calls at this severity, the active people who can hold it, by rank."""
    roles = kit.playbook_for(incident.attack_type).roles_for(incident.severity)
    entries = session.scalars(
        select(RosterEntry)
        .where(RosterEntry.role.in_(roles))
        .options(joinedload(RosterEntry.person))
        .order_by(RosterEntry.role, RosterEntry.rank)
    ).all()
    by_role: dict[str, list[Person]] = {role: [] for role in roles}
    for entry in entries:
        if entry.person.active:
            by_role[entry.role].append(entry.person)
    return [RoleCover(role, tuple(by_role[role])) for role in roles]


@dataclass(frozen=True)
class Gap:
    """Something the kit lacks for an incident. Templates word it per locale from `code`."""

    code: str  # no_playbook | no_one_for_role | no_backup
    subject: str  # the attack type or the role concerned

    @property
    def summary(self) -> str:
        """The timeline's wording (the audit trail is kept in one language)."""
        return {
            "no_playbook": f"no playbook for {self.subject}: the default playbook is used",
            "no_one_for_role": f"nobody in the roster can take the role {self.subject}",
            "no_backup": f"the role {self.subject} has no backup",
        }[self.code]

    def as_context(self) -> dict[str, str]:
        return {"code": self.code, "subject": self.subject}


def find_gaps(covers: list[RoleCover], *, kit: Kit, incident: Incident) -> list[Gap]:
    """What the kit lacks for this incident: a missing playbook, a role nobody can take, no backup."""
    gaps = []
    if incident.attack_type.value not in kit.playbooks:
        gaps.append(Gap("no_playbook", incident.attack_type.value))
    for cover in covers:
        if not cover.people:
            gaps.append(Gap("no_one_for_role", cover.role))
        elif len(cover.people) == 1:
            gaps.append(Gap("no_backup", cover.role))
    return gaps


def next_in_roster(session: Session, *, role: str, after_rank: int) -> tuple[Person, int] | None:
    """The first active person of the roster for `role` ranked after `after_rank`, with their rank."""
    entry = session.scalars(
        select(RosterEntry)
        .options(joinedload(RosterEntry.person))
        .join(RosterEntry.person)
        .where(RosterEntry.role == role, RosterEntry.rank > after_rank, Person.active.is_(True))
        .order_by(RosterEntry.rank)
        .limit(1)
    ).first()
    return (entry.person, entry.rank) if entry else None
