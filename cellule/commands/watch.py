"""`cellule tick` and `cellule watch`: keep every open incident's protocol moving on the embedded default.

With no server, nothing runs between commands: a reminder or a backup call falls due while nobody is
typing. `tick` runs the protocol once for each open incident, and for each resolved one whose post-mortem
is not stored yet (what is due is done, nothing is repeated); `watch` ticks at an interval until Ctrl-C.
In server mode a scheduled deployment does the same.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from cellule.commands.common import console, open_runtime
from cellule.engine import tick_open_incidents


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
    console.print(f"Watching open incidents every {every} s. Ctrl-C to stop.")
    try:
        while True:
            tick_open_incidents(runtime)
            time.sleep(every)
    except KeyboardInterrupt:
        console.print("Stopped.")
