"""Exit on top (sortir par le haut): leave the organisation better off than the attack found it.

The full protocol (branches, statements through the quorum, commitments) is not built yet; this phase says
so on the timeline rather than pretending.
"""

from __future__ import annotations

from prefect import flow, task

from flows.runtime import current_runtime
from models import Incident, record_event_once, transaction

AWAITING = "awaiting exit-on-top protocol"


@task(name="await-exit-on-top-protocol")
def await_exit_on_top_protocol(incident_id: int) -> None:
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        incident = session.get_one(Incident, incident_id)
        record_event_once(session, incident=incident, at=runtime.now(), kind="exit_on_top", summary=AWAITING)


@flow(name="exit-on-top")
def exit_on_top(incident_id: int) -> None:
    """Placeholder phase: records that the exit-on-top protocol is awaited."""
    await_exit_on_top_protocol(incident_id)
