"""Commitments: the public promises made to exit on top, tracked until kept."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, text_enum
from models.kit import Person


class CommitmentStatus(enum.StrEnum):
    OPEN = "open"
    KEPT = "kept"
    DROPPED = "dropped"  # with a reason: a promise withdrawn is said, never forgotten


class Commitment(Base):
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    due_at: Mapped[datetime]
    status: Mapped[CommitmentStatus] = mapped_column(
        text_enum(CommitmentStatus), default=CommitmentStatus.OPEN
    )
    proof_url: Mapped[str | None] = mapped_column(String(2000))
    kept_at: Mapped[datetime | None]
    dropped_reason: Mapped[str | None] = mapped_column(Text)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    owner: Mapped[Person] = relationship(lazy="raise")
