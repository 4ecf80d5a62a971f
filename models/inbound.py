"""Answers that arrive from outside (Slack buttons, HTTP): each is applied once, however often it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class InboundAction(Base):
    __tablename__ = "inbound_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)  # e.g. a hash of the signed request body
    source: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(Text)
