"""The protocol as a Prefect background task, for `bench/background_tasks.py`: one importable name, so the
process that submits (`.delay()`) and the task worker that serves it agree on the task's key.

A task worker runs several tasks at once in one process, and Cellule's runtime is one module global
(`flows.runtime.use_runtime`): installed per run, the first run to finish would uninstall it under the
others (measured: `NoRuntime` in 2 of 8 runs). So the worker installs one runtime for its whole life.
"""

from __future__ import annotations

from prefect import task

from cellule.engine import build_runtime
from cellule.settings import get_settings
from flows.crisis import crisis_response
from flows.runtime import use_runtime


@task(name="respond-in-background")
def respond_in_background(incident_id: int) -> None:
    """The crisis protocol for one incident, under the task worker's runtime."""
    crisis_response(incident_id)


def serve_background(limit: int) -> None:
    """A task worker for `respond_in_background`, `limit` runs at once, one live runtime for all."""
    from prefect.task_worker import serve

    with use_runtime(build_runtime(get_settings())):
        serve(respond_in_background, limit=limit)
