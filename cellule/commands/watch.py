"""`cellule tick` and `cellule watch`: keep every open incident's protocol moving on the embedded default.

With no server, nothing runs between commands: a reminder or a backup call falls due while nobody is
typing. `tick` runs each open incident's protocol once (what is due is done, nothing is repeated);
`watch` ticks at an interval until Ctrl-C. In server mode a scheduled deployment does the same.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from sqlalchemy import select

from cellule.commands.common import console, open_runtime
from cellule.engine import run_protocol
from flows.runtime import Runtime
from models import Incident, IncidentStatus, transaction


def tick_once(runtime: Runtime) -> int:
    """Run the protocol once for every open incident; return how many."""
    with transaction(runtime.sessions) as session:
        ids = session.scalars(
            select(Incident.id)
            .where(Incident.status.in_(IncidentStatus.open_statuses()))
            .order_by(Incident.id)
        ).all()
    for incident_id in ids:
        run_protocol(runtime, incident_id)
    return len(ids)


def tick() -> None:
    """Do what is due now for every open incident: reminders, backup calls, escalations."""
    count = tick_once(open_runtime())
    console.print(f"✓ {count} open incident(s) brought up to date.")


def watch(
    every: Annotated[int, typer.Option(min=5, help="Seconds between two ticks.")] = 30,
) -> None:
    """Tick at an interval until Ctrl-C: the embedded default's way to escalate on time."""
    runtime = open_runtime()
    console.print(f"Watching open incidents every {every} s. Ctrl-C to stop.")
    try:
        while True:
            tick_once(runtime)
            time.sleep(every)
    except KeyboardInterrupt:
        console.print("Stopped.")
