"""Server mode's protocol runner: a long-lived Prefect task worker that runs the crisis protocol.

`respond_now.delay(incident_id)` (the HTTP, Slack and command-line doors in server mode) queues a
background task run on the Prefect server; every task worker serving `respond_now` subscribes to that
queue, and the server hands each run to one of them. Nothing is spawned per run, so an alert leaves as
fast as the protocol itself goes (bench/server_latency.py: a p99 a third of an empty deployment run's,
where a deployment run costs a process per run). More throughput is more task workers, on this machine or
others: `python -m cellule.task_worker` with the same CELLULE_* settings and PREFECT_API_URL.

Run: python -m cellule.task_worker [--limit N]
"""

from __future__ import annotations

import argparse

from prefect import task

from flows.crisis import crisis_response

RESPOND_NOW = "respond-to-incident-now"
LIMIT = 4  # protocol runs at once per worker: each holds a store connection and waits on Slack


@task(name=RESPOND_NOW)
def respond_now(incident_id: int) -> None:
    """Run the crisis protocol for one incident with the runtime this worker installed at start.

    Runs share the worker's threads, so the runtime is installed once for the process: one run ending
    must not uninstall it under another still running.
    """
    crisis_response(incident_id)


def main() -> None:
    from prefect.task_worker import serve

    from cellule import engine
    from cellule.prefect_env import quiet_flow_runs
    from cellule.settings import get_settings
    from flows.runtime import use_runtime

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=LIMIT)
    args = parser.parse_args()
    # No heartbeat thread per flow run (it costs ~1 s at each phase's end): the store, not Prefect, says
    # what a crashed run left undone, and the minute tick resumes it.
    with use_runtime(engine.build_runtime(get_settings())), quiet_flow_runs():
        serve(respond_now, limit=args.limit)


if __name__ == "__main__":
    main()
