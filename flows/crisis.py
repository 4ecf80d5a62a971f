"""The crisis protocol for one incident: prepare, surround, exit on top.

Re-entrant (DESIGN.md principle 1): every step re-reads the store and skips what is already done, so
running `crisis_response` again after a crash, or after the incident grew, sends nothing twice.
"""

from __future__ import annotations

from prefect import flow

from flows.exit_on_top import exit_on_top
from flows.prepare import prepare
from flows.surround import surround


@flow(name="crisis-response")
def crisis_response(incident_id: int) -> None:
    """Run the handbook's three moves for one incident."""
    prepare(incident_id)
    surround(incident_id)
    exit_on_top(incident_id)
