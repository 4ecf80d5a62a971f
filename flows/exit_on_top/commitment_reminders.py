"""The scheduled chase of public commitments: owners reminded before the due date and while late, capped.

Commitments outlive incidents, so this is its own flow (the `remind-commitment-owners` deployment, hourly),
not a step of an incident's protocol run.
"""

from __future__ import annotations

from prefect import flow, task
from sqlalchemy import select

from flows.exit_on_top.commitments import remind_commitment_owners
from flows.kit.loading import require_kit
from flows.outbox import send_notifications
from flows.runtime import current_runtime
from models import Commitment, CommitmentStatus, transaction


@task(name="remind-commitment-owners")
def remind_owners() -> list[int]:
    """One transaction: queue the reminders owed now; the incident of each."""
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        if (
            session.scalar(select(Commitment.id).where(Commitment.status == CommitmentStatus.OPEN).limit(1))
            is None
        ):
            return []  # nothing promised: no kit needed either
        kit = require_kit(session)
        return remind_commitment_owners(
            session, kit=kit, now=runtime.now(), available=runtime.available_channels
        )


@flow(name="remind-commitments")
def remind_commitments() -> int:
    """Remind owners of public commitments due soon or late (capped), send the reminders; how many."""
    reminded = remind_owners()
    for incident_id in sorted(set(reminded)):
        send_notifications(incident_id)
    return len(reminded)
