"""Reporting attacks, as every front door does it: one transaction stores and triages a whole request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows.intake.reports import SignalReport, take_in
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
    """Store and triage every report in one transaction: all or nothing, one outcome per report, in order.

    A refused request (no kit, a refused receipt, a store that fails half-way) leaves nothing behind, and
    a stored signal always has its incident. `receipt(session)` runs first in that transaction: a front
    door records there the request that carried the reports (so a replay finds it), or raises to refuse it.
    """
    with transaction(runtime.sessions) as session:
        _, kit = require_kit_version(session)  # refuse before storing when there is no kit to act on
        if receipt is not None:
            receipt(session)
        taken = take_in(session, reports=reports, source=source, kit=kit, at=runtime.now())
    return [
        Reported(
            signal_id=t.signal_id,
            new_signal=t.new_signal,
            incident_id=t.triage.incident_id,
            incident_ref=t.triage.ref,
            opened=t.triage.opened,
            dedup_key=t.dedup_key,
            received_at=t.received_at,
            regraded=t.triage.regraded,
        )
        for t in taken
    ]
