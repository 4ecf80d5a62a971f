"""Defamatory reviews, tracked through every avenue: report to the platform, legal, public reply.

A `ReviewCase` keeps the review as the platform shows it, the evidence captured at intake (never altered),
and whether the author was a customer; each avenue has its own row, status, dates and outcome.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, text_enum


class WasCustomer(enum.StrEnum):
    UNKNOWN = "unknown"
    YES = "yes"
    NO = "no"


class ReviewOutcome(enum.StrEnum):
    PENDING = "pending"
    REMOVED = "removed"
    KEPT = "kept"
    EDITED = "edited"  # the author changed it


class AvenueStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    WAITING = "waiting"  # on a precondition, the platform, counsel or the quorum
    IN_PROGRESS = "in_progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABANDONED = "abandoned"  # with a reason

    @classmethod
    def concluded_statuses(cls) -> frozenset[AvenueStatus]:
        return frozenset({cls.SUCCEEDED, cls.FAILED, cls.ABANDONED})


class ReviewCase(Base):
    __tablename__ = "review_cases"
    __table_args__ = (UniqueConstraint("platform", "review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id"))
    platform: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    author_display_name: Mapped[str | None] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(default=False)
    star_rating: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime | None]  # the platform's created time
    edited_at: Mapped[datetime | None]  # the platform's updated time
    existing_reply: Mapped[str | None] = mapped_column(Text)
    was_customer: Mapped[WasCustomer] = mapped_column(text_enum(WasCustomer), default=WasCustomer.UNKNOWN)
    customer_match: Mapped[str | None] = mapped_column(String(200))  # how we know (e.g. "booking reference")
    # Evidence as captured at intake: never altered afterwards.
    evidence_text: Mapped[str] = mapped_column(Text)
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    evidence_captured_at: Mapped[datetime]
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    rating_before: Mapped[float | None]  # the place's average rating when the case opened
    rating_after: Mapped[float | None]
    outcome: Mapped[ReviewOutcome] = mapped_column(text_enum(ReviewOutcome), default=ReviewOutcome.PENDING)
    outcome_at: Mapped[datetime | None]
    opened_at: Mapped[datetime]


class PlatformReport(Base):
    """Avenue 1: the review reported to the platform as inappropriate, under one of its reasons."""

    __tablename__ = "platform_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), unique=True)
    status: Mapped[AvenueStatus] = mapped_column(text_enum(AvenueStatus), default=AvenueStatus.NOT_STARTED)
    reason: Mapped[str | None] = mapped_column(String(64))  # the platform's own reason code
    precondition_met_at: Mapped[datetime | None]  # e.g. Trustpilot: the reviewer contacted, then 3 days
    reported_at: Mapped[datetime | None]
    platform_reference: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(32))  # removed / kept / …
    decision_due_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    appeal_deadline: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(default=0)
    abandoned_reason: Mapped[str | None] = mapped_column(Text)


class LegalAction(Base):
    """Avenue 2: counsel, often through a legal-protection insurer; builds the evidence file."""

    __tablename__ = "legal_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), unique=True)
    status: Mapped[AvenueStatus] = mapped_column(text_enum(AvenueStatus), default=AvenueStatus.NOT_STARTED)
    counsel: Mapped[str | None] = mapped_column(String(200))
    insurer: Mapped[str | None] = mapped_column(String(200))
    case_reference: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime | None]
    next_date: Mapped[datetime | None]
    next_step: Mapped[str | None] = mapped_column(Text)
    concluded_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    abandoned_reason: Mapped[str | None] = mapped_column(Text)


class PublicReply(Base):
    """Avenue 3: the public reply — drafted, approved by the quorum, then published through a connector."""

    __tablename__ = "public_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), unique=True)
    status: Mapped[AvenueStatus] = mapped_column(text_enum(AvenueStatus), default=AvenueStatus.NOT_STARTED)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    connector: Mapped[str | None] = mapped_column(String(32))  # google / trustpilot / manual
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_reference: Mapped[str | None] = mapped_column(String(200))
    published_text_sha256: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None]
    published_url: Mapped[str | None] = mapped_column(String(2000))
    published_by: Mapped[str | None] = mapped_column(String(200))
    abandoned_reason: Mapped[str | None] = mapped_column(Text)


class Customer(Base):
    """The customer list a user imports (CSV), to tell whether a reviewer was ever a customer."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    booking_reference: Mapped[str | None] = mapped_column(String(100), index=True)
    imported_at: Mapped[datetime]
