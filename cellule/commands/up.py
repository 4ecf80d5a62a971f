"""`cellule up`: the whole service on this machine — Prefect server, served deployments, HTTP app."""

from __future__ import annotations

import uvicorn
from rich.panel import Panel

from cellule.commands.common import console, fail, open_runtime
from cellule.runner import RunnerBusy, holding_lease
from cellule.server import (
    ServiceFailed,
    following_nudges,
    prefect_api_url,
    running,
    start_flow_runner,
    start_prefect_server,
    start_task_worker,
)
from cellule.settings import Settings, get_settings


def up() -> None:
    """Start Cellule as a service: Prefect server, Cellule's deployments and task worker, HTTP app.
    Ctrl-C stops all."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from cellule import triggers
    from cellule.web import create_app
    from cellule.web.auth import ApiCredentials

    settings = get_settings()
    runtime = open_runtime()
    api_url = prefect_api_url(settings)
    console.print("Starting the Prefect server and Cellule's deployments (10–30 s)…")
    try:
        with (
            holding_lease(settings.data_dir, "up"),  # acts typed here now leave their follow-ups to us
            running(
                lambda: start_prefect_server(settings),
                lambda: start_flow_runner(settings),
                lambda: start_task_worker(settings),
            ),
            temporary_settings(updates={PREFECT_API_URL: api_url}),
            following_nudges(settings.data_dir, api_url),
        ):
            secret = settings.slack_signing_secret
            app = create_app(
                runtime=runtime,
                slack_signing_secret=secret.get_secret_value() if secret else None,
                after_answer=triggers.background_run,
                on_reported=triggers.as_background_runs(),
                api_credentials=ApiCredentials.from_settings(settings),
            )
            _announce(settings, api_url)
            uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="warning")
    except (ServiceFailed, RunnerBusy) as exc:
        fail(str(exc))
    console.print("Stopped: HTTP app, task worker, flow runner and Prefect server.")


def _announce(settings: Settings, api_url: str) -> None:
    console.print(
        Panel.fit(
            f"HTTP app        http://{settings.http_host}:{settings.http_port}  (intake: /api/v1/signals)\n"
            f"Prefect server  {api_url.removesuffix('/api')}\n"
            f"Logs            {settings.data_dir / 'logs'}\n"
            "Ctrl-C stops everything.",
            title="Cellule is up",
        )
    )
