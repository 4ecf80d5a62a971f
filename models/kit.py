"""The crisis kit as stored: each loaded version of the kit, the people, and the roster."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utc_now


class KitVersion(Base):
    """One `cellule kit load`: the validated kit document, kept whole so every version stays readable."""

    __tablename__ = "kit_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]
    loaded_at: Mapped[datetime] = mapped_column(default=utc_now)


class Person(Base):
    """Someone the crisis cell can call. Never deleted: past incidents keep pointing at them."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)


class RosterEntry(Base):
    """A person who can hold a role in the cell; rank 1 is the primary, 2 and up are the backups."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        UniqueConstraint("role", "rank"),
        UniqueConstraint("role", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int]
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    person: Mapped[Person] = relationship(lazy="raise")
