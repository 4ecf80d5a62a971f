"""`cellule tick` and `cellule watch`: keep every open incident's protocol moving on the embedded default.

With no server, nothing runs between commands: a reminder or a backup call falls due while nobody is
typing. `tick` runs the protocol once for each open incident, and for each resolved one whose post-mortem
is not stored yet (what is due is done, nothing is repeated); `watch` ticks at an interval until Ctrl-C,
and holds the runner lease meanwhile: an act typed elsewhere leaves its follow-ups to it, which runs them
within a second. In server mode a scheduled deployment does the same.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.markup import escape

from cellule.commands.common import console, err_console, fail, open_runtime
from cellule.engine import follow_nudges, run_protocol, tick_open_incidents
from cellule.runner import RunnerBusy, holding_lease
from cellule.settings import get_settings


def tick() -> None:
    """Do what is due now for every open incident (reminders, backup calls, escalations), and write the
    post-mortem a resolution left behind."""
    count = tick_open_incidents(open_runtime())  # open incidents, and resolved ones awaiting their report
    console.print(f"✓ {count} incident(s) brought up to date.")


def watch(
    every: Annotated[int, typer.Option(min=5, help="Seconds between two ticks.")] = 30,
) -> None:
    """Tick at an interval until Ctrl-C: the embedded default's way to escalate on time."""
    runtime = open_runtime()
    data_dir = get_settings().data_dir

    def failed(incident_id: int, exc: Exception) -> None:
        err_console.print(
            f"[yellow]![/] Incident #{incident_id}: {escape(str(exc).strip()[:160])} — retried."
        )

    try:
        with holding_lease(data_dir, "watch"):
            console.print(f"Watching open incidents every {every} s. Ctrl-C to stop.")
            while True:
                try:
                    tick_open_incidents(runtime)
                except Exception as exc:  # noqa: BLE001 - a failed tick is told and tried again
                    err_console.print(f"[yellow]![/] This tick failed: {escape(str(exc).strip()[:160])}.")
                deadline = time.monotonic() + every
                follow_nudges(data_dir, lambda i: run_protocol(runtime, i), until=deadline, failed=failed)
    except RunnerBusy as exc:
        fail(str(exc), hint="One runner is enough: acts typed here leave their follow-ups to it.")
    except KeyboardInterrupt:
        console.print("Stopped.")
