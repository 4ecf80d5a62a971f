"""Where an incident's stored post-mortem is, for every door that points a person to it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import PostMortem


def stored_report_path(session: Session, *, incident_id: int) -> str | None:
    """Where the incident's stored post-mortem is: its HTML file in the kit's language, as the flow stored
    it; None when there is none, or it was kept in the database only (no reports folder)."""
    return session.scalar(select(PostMortem.report_path).where(PostMortem.incident_id == incident_id))


def stored_report_markdown(session: Session, *, incident_id: int) -> str | None:
    """The stored post-mortem's Markdown, or None when it is not stored yet."""
    return session.scalar(select(PostMortem.report_markdown).where(PostMortem.incident_id == incident_id))
