"""Post-mortems: what the cell learned from an incident, and the action items it must see through.

The report itself is rendered from the timeline whenever it is asked for; what is stored here is what only
people can say (what went well, what went wrong, where we got lucky, once they have edited the facts the
report pre-fills) and the last report the post-mortem flow produced, so "is a report due?" has an answer.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, text_enum
from models.kit import Person


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"  # decided against, said rather than forgotten

    @classmethod
    def open_statuses(cls) -> frozenset[ActionStatus]:
        return frozenset({cls.OPEN})


class PostMortem(Base):
    """One per incident: the people's notes, and the last report stored by the post-mortem flow."""

    __tablename__ = "postmortems"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    # Lists of sentences; None until a person edits them (the report then shows the pre-filled facts).
    went_well: Mapped[list[Any] | None]
    went_wrong: Mapped[list[Any] | None]
    lucky: Mapped[list[Any] | None]
    notes_edited_at: Mapped[datetime | None]
    notes_edited_by: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(8))
    report_markdown: Mapped[str | None] = mapped_column(Text)
    report_path: Mapped[str | None] = mapped_column(String(1000))
    report_sha256: Mapped[str | None] = mapped_column(String(64))
    rendered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ActionItem(Base):
    """Something to change after the incident, with an owner and a due date: A1, A2… within the incident."""

    __tablename__ = "action_items"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    due_at: Mapped[datetime]
    status: Mapped[ActionStatus] = mapped_column(
        text_enum(ActionStatus), default=ActionStatus.OPEN, index=True
    )
    done_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    owner: Mapped[Person] = relationship(lazy="raise")

    @property
    def label(self) -> str:
        return f"A{self.number}"
