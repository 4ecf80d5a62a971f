"""The outbox: every message to a person is a row first, sent later, never twice for one key."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, text_enum, utc_now


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a dispatcher; a lapsed claim goes back to the queue
    SENT = "sent"
    DEAD = "dead"  # every channel of its route failed

    @classmethod
    def final_statuses(cls) -> frozenset[NotificationStatus]:
        return frozenset({cls.SENT, cls.DEAD})


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    template: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    context: Mapped[dict[str, Any]]
    # Ordered fallbacks: [[channel, address], ...]; `route_index` is the one in use.
    route: Mapped[list[Any]]
    route_index: Mapped[int] = mapped_column(default=0)
    status: Mapped[NotificationStatus] = mapped_column(
        text_enum(NotificationStatus), default=NotificationStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    sent_body: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    is_drill: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    @property
    def channel(self) -> str:
        return self.route[self.route_index][0]

    @property
    def address(self) -> str:
        return self.route[self.route_index][1]
