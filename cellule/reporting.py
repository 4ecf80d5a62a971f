"""Reporting attacks, as every front door does it: store the signals first, then triage them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows.intake.reports import SignalReport, record_signal, triage_with_kit_in_force
from flows.kit.loading import require_kit_version
from flows.runtime import Runtime
from models import transaction


@dataclass(frozen=True)
class Reported:
    signal_id: int
    new_signal: bool  # False: this review or post was already reported
    incident_id: int
    incident_ref: str
    opened: bool  # True: this report opened the incident
    # The stored signal's identity beyond this store's ids (which repeat after a restore or in another
    # store): its dedup key and when this store received it.
    dedup_key: str
    received_at: datetime
    regraded: bool = False  # True: it raised the incident's severity or changed its attack type


def report_attacks(
    runtime: Runtime,
    reports: list[SignalReport],
    *,
    source: str,
    receipt: Callable[[Session], None] | None = None,
) -> list[Reported]:
    """Store every report (one transaction: all or nothing), then triage each one.

    Storing comes first and alone, so a report is never lost to a later failure; triage is idempotent
    and can be run again on a stored signal. `receipt(session)` runs in the storing transaction: a front
    door records there the request that carried the reports (so a replay finds it), or raises to refuse it.
    """
    with transaction(runtime.sessions) as session:
        require_kit_version(session)  # refuse early, before storing, when there is no kit to act on
        if receipt is not None:
            receipt(session)
        stored = [record_signal(session, report=r, source=source, at=runtime.now()) for r in reports]
        signals = [(signal.id, created, signal.dedup_key, signal.received_at) for signal, created in stored]
    outcomes = []
    for signal_id, created, key, received_at in signals:
        with transaction(runtime.sessions) as session:
            triage = triage_with_kit_in_force(session, signal_id=signal_id, at=runtime.now())
        outcomes.append(
            Reported(
                signal_id=signal_id,
                new_signal=created,
                incident_id=triage.incident_id,
                incident_ref=triage.ref,
                opened=triage.opened,
                dedup_key=key,
                received_at=received_at,
                regraded=triage.regraded,
            )
        )
    return outcomes
