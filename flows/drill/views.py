"""What the drill journal shows: the drills played so far, and a drill's post-mortem.

Read models for every door (`cellule drill journal`, `cellule drill show`, the war-room pages).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.postmortem.views import stored_report_markdown
from models import Drill


def journal_drills(
    session: Session, *, series: str | None = None, scenario: str | None = None, limit: int | None = 20
) -> list[Drill]:
    """The journal's drills, most recent first: a whole series, or the last `limit` (of one scenario)."""
    query = select(Drill).order_by(Drill.id.desc())
    if series:
        query = query.where(Drill.series == series)
    if scenario:
        query = query.where(Drill.scenario == scenario)
    return list(session.scalars(query.limit(None if series else limit)))


def drill_report(session: Session, *, drill: Drill) -> str | None:
    """A drill's post-mortem in Markdown: a simulated run keeps it in the journal, a live drill's is stored
    with its incident; None when it ended before its resolution, or is still running."""
    if drill.report_markdown is None and drill.incident_id is not None:
        return stored_report_markdown(session, incident_id=drill.incident_id)
    return drill.report_markdown
