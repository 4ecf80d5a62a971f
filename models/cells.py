"""The crisis cell of one incident: who was called for which role, and when they answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.kit import Person


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("incident_id", "role", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int]
    called_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    person: Mapped[Person] = relationship(lazy="raise")
