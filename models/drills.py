"""Drills: the journal of every exercise of the protocol, simulated or live, and how it scored.

A simulated drill runs in a throwaway store, so its journal row is all that stays of it: the scenario,
the seed that replays it, what happened (events by offset from the start) and the results. A live drill
also has its incident here (an exercise incident, `is_drill`), and the hot wash the cell answered after it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, text_enum


class DrillMode(enum.StrEnum):
    SIMULATED = "simulated"  # scripted people on a simulated clock
    LIVE = "live"  # the real cell, on the real clock, every message marked as an exercise


class Drill(Base):
    """One run of a scenario. Runs started together (`--runs N`) share a `series`."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(300))
    mode: Mapped[DrillMode] = mapped_column(text_enum(DrillMode))
    series: Mapped[str | None] = mapped_column(String(32), index=True)
    seed: Mapped[int | None]
    kit_sha256: Mapped[str | None] = mapped_column(String(64))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)  # live drills
    incident_ref: Mapped[str | None] = mapped_column(String(20))
    attack_type: Mapped[str | None] = mapped_column(String(32), index=True)  # the playbook it rehearsed
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]  # a live drill is running until it is stopped
    rating: Mapped[str | None] = mapped_column(String(48))
    results: Mapped[list[Any] | None]  # one {key, target_s, value_s, met, detail} per target
    events: Mapped[list[Any] | None]  # {at (seconds from the start), kind, actor, summary}
    absent: Mapped[list[Any] | None]  # who the scenario kept away in this run
    hot_wash: Mapped[list[Any] | None]  # {question, answer} after a live drill
    document: Mapped[dict[str, Any]]  # the scenario as played: with the seed and the kit, it replays
    report_markdown: Mapped[str | None] = mapped_column(Text)
