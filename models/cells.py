"""The crisis cell of one incident: who was called for which role, and how they answered."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, text_enum
from models.kit import Person


class ParticipantStatus(enum.StrEnum):
    CALLED = "called"  # alerted, no answer yet
    ACKNOWLEDGED = "acknowledged"  # "I take it"
    DECLINED = "declined"  # "I can't take it": the backup is called at once
    TIMED_OUT = "timed_out"  # never answered, even after reminders: the backup was called

    @classmethod
    def waiting_statuses(cls) -> frozenset[ParticipantStatus]:
        return frozenset({cls.CALLED})

    @classmethod
    def gave_up_statuses(cls) -> frozenset[ParticipantStatus]:
        return frozenset({cls.DECLINED, cls.TIMED_OUT})


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("incident_id", "role", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int]
    status: Mapped[ParticipantStatus] = mapped_column(
        text_enum(ParticipantStatus), default=ParticipantStatus.CALLED
    )
    called_at: Mapped[datetime]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    acknowledged_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    timed_out_at: Mapped[datetime | None]
    person: Mapped[Person] = relationship(lazy="raise")
