"""The crisis protocol for one incident: prepare, surround, exit on top — then the post-mortem.

Re-entrant (DESIGN.md principle 1): every step re-reads the store and skips what is already done, so
running `crisis_response` again after a crash, or after the incident grew, sends nothing twice.
"""

from __future__ import annotations

from prefect import flow, task
from sqlalchemy import select

from flows.exit_on_top.flow import exit_on_top
from flows.postmortem import post_mortem_due
from flows.postmortem.flow import post_mortem
from flows.prepare.flow import prepare
from flows.runtime import current_runtime
from flows.surround.flow import surround
from models import Incident, transaction


@task(name="is-the-post-mortem-due")
def is_the_post_mortem_due(incident_id: int) -> bool:
    """Whether the incident is resolved and its report not stored yet (a cheap task, not a subflow run)."""
    with transaction(current_runtime().sessions) as session:
        # Under the row lock: a resolution committing at this moment is either seen whole or not at all.
        incident = session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()
        return post_mortem_due(session, incident)


@flow(name="crisis-response")
def crisis_response(incident_id: int) -> None:
    """Run the handbook's three moves for one incident; once it is resolved, store its post-mortem."""
    prepare(incident_id)
    surround(incident_id)
    exit_on_top(incident_id)
    if is_the_post_mortem_due(incident_id):
        # The flow re-checks under the same lock before storing: two runs at once store one report.
        reports_dir = current_runtime().reports_dir
        post_mortem(incident_id, str(reports_dir) if reports_dir else None)
