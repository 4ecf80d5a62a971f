"""The long-lived Prefect processes `bench/server_latency.py` starts: run as `python bench/_server_children.py
deployments|task-worker`. Kept apart from the benchmark so that these processes import only what a real
worker imports (the benchmark's own process configures an embedded Prefect for itself).
"""

from __future__ import annotations

import sys

from prefect import flow, serve, task
from prefect.task_worker import serve as serve_tasks
from slack_sdk import WebClient

from cellule import engine
from cellule.deployments import respond_to_incident
from cellule.settings import get_settings
from flows.crisis import crisis_response
from flows.runtime import use_runtime
from models import Target, transaction

FLOOR_DEPLOYMENT = "bench-floor/bench"


@task(name="respond-to-incident-in-background")
def respond_in_background(incident_id: int) -> None:
    """What `respond_to_incident` does, as a background task, with the runtime the worker installed.

    Task runs share the worker's threads, so the runtime is installed once for the process (below), not
    per run: a run that ends must not uninstall it under another one still running.
    """
    crisis_response(incident_id)


@flow(name="bench-floor")
def floor(n: int) -> None:
    """The least a run can do for an alert: insert one row, post one Slack message."""
    settings = get_settings()
    sessions = engine.build_runtime(settings).sessions
    with transaction(sessions) as session:
        session.add(Target(key=f"floor-{n}", name=f"Floor {n}"))
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    WebClient(token=token, base_url=settings.slack_api_url).chat_postMessage(
        channel="C0FLOOR", text=f"floor {n}"
    )


if __name__ == "__main__":
    if sys.argv[1] == "deployments":
        serve(respond_to_incident.to_deployment(name="cellule"), floor.to_deployment(name="bench"))
    else:
        with use_runtime(engine.build_runtime(get_settings())):
            serve_tasks(respond_in_background)
