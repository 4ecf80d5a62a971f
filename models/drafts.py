"""Drafts of public text and the decisions on them: nobody decides alone (the quorum)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, text_enum
from models.kit import Person


class DraftKind(enum.StrEnum):
    HOLDING_STATEMENT = "holding_statement"
    REVIEW_REPLY = "review_reply"
    APOLOGY = "apology"
    STATEMENT = "statement"


class DraftStatus(enum.StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"  # the quorum holds for the current version
    REJECTED = "rejected"  # sent back with a comment; an edit puts it up for approval again
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Draft(Base):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    number: Mapped[int]  # D1, D2… within the incident
    kind: Mapped[DraftKind] = mapped_column(text_enum(DraftKind))
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)  # every edit is a new version
    status: Mapped[DraftStatus] = mapped_column(text_enum(DraftStatus), default=DraftStatus.AWAITING_APPROVAL)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    author: Mapped[Person] = relationship(lazy="raise")

    @property
    def label(self) -> str:
        return f"D{self.number}"


class Approval(Base):
    """One person's decision on one version of a draft, with the exact text they saw."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("draft_id", "person_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(64))  # the role they hold in the cell
    decision: Mapped[Decision] = mapped_column(text_enum(Decision))
    comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
    voided_at: Mapped[datetime | None]  # an edit voids the approvals of earlier versions
    person: Mapped[Person] = relationship(lazy="raise")
