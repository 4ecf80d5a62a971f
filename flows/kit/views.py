"""Who the kit names, as the doors show it: the keys of the people in force, everyone's name by id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Person


def active_person_keys(session: Session) -> set[str]:
    """The keys of the people in the kit in force (those who left stay in the history, inactive)."""
    return set(session.scalars(select(Person.key).where(Person.active)))


def person_names(session: Session) -> dict[int, str]:
    """Every person's name by id, those who left the kit included (an access may still name them)."""
    return {person_id: name for person_id, name in session.execute(select(Person.id, Person.name))}
