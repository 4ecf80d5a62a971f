"""The post-mortem flow: once an incident (or a drill) resolves, store its report and tell the cell.

Re-entrant like every flow here: the step re-reads the store under the incident's row lock
(`flows.postmortem.stored`), so a second run, or two at once, store one report.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task

from flows.outbox import send_notifications
from flows.postmortem.stored import StoredReport, store_post_mortem
from flows.runtime import current_runtime
from models import transaction


@task(name="store-the-post-mortem")
def store_the_post_mortem(incident_id: int, reports_dir: str | None) -> StoredReport | None:
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        return store_post_mortem(
            session,
            incident_id=incident_id,
            reports_dir=Path(reports_dir) if reports_dir else None,
            now=runtime.now(),
            available=runtime.available_channels,
        )


@flow(name="post-mortem")
def post_mortem(incident_id: int, reports_dir: str | None = None) -> StoredReport | None:
    """Store the post-mortem of a resolved incident or drill, and tell its cell where to read it.

    `reports_dir` is where the files go (the front door passes `CELLULE_DATA_DIR/reports`); without it
    the report is stored in the database only. None when no report was due.
    """
    stored = store_the_post_mortem(incident_id, reports_dir)
    send_notifications(incident_id)
    return stored
