"""The statement library (prepared words, approved in peacetime), the legal clocks and evidence files.

A library entry is declared in the kit (attack type, severity tiers, variables); its text in each language
is kept here as versions, each approved by the quorum with the exact words and their hash. A new version
voids the approvals of the earlier ones: they agreed to other words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.kit import Person


class LibraryText(Base):
    """One version of one library entry's text in one language."""

    __tablename__ = "library_texts"
    __table_args__ = (UniqueConstraint("entry_key", "locale", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_key: Mapped[str] = mapped_column(String(64), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # kit (loaded from the kit file) or edit (a person's)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]
    author: Mapped[Person] = relationship(lazy="raise")


class LibraryApproval(Base):
    """One person's approval of one version, with the exact text they read and until when it holds."""

    __tablename__ = "library_approvals"
    __table_args__ = (UniqueConstraint("text_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text_id: Mapped[int] = mapped_column(ForeignKey("library_texts.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(String(64))  # the roster role they approved as
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]  # reviewed every N months: past this, it no longer counts
    voided_at: Mapped[datetime | None]  # a new version of the text voids it
    person: Mapped[Person] = relationship(lazy="raise")


class LegalClock(Base):
    """When the legal action about one review lapses, from the first publication we know of."""

    __tablename__ = "legal_clocks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(300))  # the law, as the kit names it
    published_at: Mapped[datetime]
    published_source: Mapped[str] = mapped_column(String(16))  # platform (its own time) or first_seen
    lapses_at: Mapped[datetime]
    reminded_before: Mapped[list[Any]] = mapped_column(default=list)  # the declared days already told
    last_reminded_on: Mapped[str | None] = mapped_column(String(10))  # ISO day, never twice the same day
    reminders_sent: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime]


class EvidenceFile(Base):
    """A file attached to a review case's evidence (a screenshot, a bailiff's report), kept byte for byte."""

    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("case_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))  # screenshot, bailiff_report, other
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
    attached_by: Mapped[str | None] = mapped_column(String(200))
    attached_at: Mapped[datetime]
