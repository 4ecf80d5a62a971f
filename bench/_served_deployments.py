"""The deployments `bench/server_latency.py` serves: `respond-to-incident` as `cellule up` served it until
now, and the floor's empty run. Run as `python bench/_served_deployments.py`, apart from the benchmark, so
that this process imports only what a real worker imports.
"""

from __future__ import annotations

from prefect import flow, serve
from slack_sdk import WebClient

from cellule import engine
from cellule.deployments import respond_to_incident
from cellule.settings import get_settings
from models import Target, transaction

FLOOR_DEPLOYMENT = "bench-floor/bench"


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
    serve(respond_to_incident.to_deployment(name="cellule"), floor.to_deployment(name="bench"))
