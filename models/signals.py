"""Signals: what someone saw of an attack (a review, a post, an article), stored before anything else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utc_now


class Target(Base):
    """What is under attack: a place, a brand, an account. Signals about one target correlate."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Signal(Base):
    """One observation of an attack. The same review reported twice is one signal (`dedup_key`)."""

    __tablename__ = "signals"
    # Triage counts an incident's signals in time windows: one index serves those counts.
    __table_args__ = (Index("ix_signals_incident_id_observed_at", "incident_id", "observed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    claimed_attack_type: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(2000))
    author: Mapped[str | None] = mapped_column(String(200))
    rating: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    reach: Mapped[int | None]
    reported_by: Mapped[str | None] = mapped_column(String(200))
    observed_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
    is_drill: Mapped[bool] = mapped_column(default=False)
