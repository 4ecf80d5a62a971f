"""The legal clocks' reminders as a scheduled flow: a clock runs for months, long after its incident."""

from __future__ import annotations

from prefect import flow, task

from flows.outbox import send_notifications
from flows.reviews.legal_clock import remind_legal_deadlines as remind
from flows.runtime import current_runtime
from models import transaction


@task(name="remind-legal-role")
def remind_legal_role() -> list[int]:
    """One transaction: queue the reminders owed now; the incident of each."""
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        return remind(session, now=runtime.now(), available=runtime.available_channels)


@flow(name="remind-legal-deadlines")
def remind_legal_deadlines() -> int:
    """Remind the legal role of every legal action nearing its lapse date, send it; how many reminders."""
    reminded = remind_legal_role()
    for incident_id in sorted(set(reminded)):
        send_notifications(incident_id)
    return len(reminded)
