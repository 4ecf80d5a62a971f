"""Prepare (être préparé): before calling anyone, check the kit covers what the playbook asks.

Gaps are written to the timeline and carried into the alert, so the cell knows at once what is missing.
"""

from __future__ import annotations

from prefect import flow, task

from flows.cell import find_gaps, required_cover
from flows.kit import require_kit
from flows.runtime import current_runtime
from models import Incident, record_event_once, transaction


@task(name="check-the-kit")
def check_the_kit(incident_id: int) -> list[str]:
    """Record each gap once on the timeline; return all of them."""
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        incident = session.get_one(Incident, incident_id)
        kit = require_kit(session)
        gaps = find_gaps(required_cover(session, incident=incident, kit=kit), kit=kit, incident=incident)
        for gap in gaps:
            record_event_once(session, incident=incident, at=runtime.now(), kind="gap", summary=gap.summary)
    return [gap.summary for gap in gaps]


@flow(name="prepare")
def prepare(incident_id: int) -> list[str]:
    """Check the crisis kit against this incident's playbook."""
    return check_the_kit(incident_id)
