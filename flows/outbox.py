"""The outbox step every phase shares: send what its transactions queued (DESIGN.md principle 2).

A phase writes its messages as outbox rows in the transaction that caused them; this task sends them, as a
separate step with its own retries, so a crash between the two sends nothing twice.
"""

from __future__ import annotations

from prefect import task

from flows.runtime import current_runtime
from notifications import dispatch_due


@task(name="send-notifications")
def send_notifications(incident_id: int) -> dict[str, int]:
    """Send this incident's due outbox rows through their channels."""
    runtime = current_runtime()
    report = dispatch_due(
        runtime.sessions, channels=runtime.channels, now=runtime.now(), incident_id=incident_id
    )
    return dict(vars(report))
