"""Server mode: a Prefect server, Cellule's deployments served, and the HTTP app — one command.

Each piece is a child process started here, in order, and stopped here in reverse order, whether the
HTTP app stops on Ctrl-C or on an error. Children get their own session so that Ctrl-C reaches only
this process, which then shuts them down cleanly.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cellule.engine import follow_nudges
from cellule.prefect_env import without_embedded_defaults
from cellule.settings import Settings

BIN = Path(sys.executable).parent


class ServiceFailed(RuntimeError):
    """A child process did not come up; the message says which and where its log is."""


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def prefect_api_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.prefect_port}/api"


def child_environment(**overrides: str) -> dict[str, str]:
    """The environment of a child process: this one's, without the embedded Prefect defaults that
    `configure_prefect_environment` set (they are for the ephemeral server only: a real server with them
    would record no task runs or events and receive no logs), then `overrides`."""
    return without_embedded_defaults(os.environ) | overrides


def _spawn(name: str, command: list[str], env: dict[str, str], log_dir: Path) -> Service:
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Service(name, process, log)


def _wait_healthy(service: Service, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise ServiceFailed(
                f"{service.name} exited with code {service.process.returncode}; see {service.log}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URL we built
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise ServiceFailed(f"{service.name} did not answer at {url} within {timeout:.0f} s; see {service.log}")


def start_prefect_server(settings: Settings, *, timeout: float = 120) -> Service:
    """Prefect's own server and database (SQLite in data_dir, or CELLULE_PREFECT_DATABASE_URL)."""
    env = child_environment(PREFECT_HOME=str(settings.data_dir / "prefect-server"))
    env.pop("PREFECT_API_URL", None)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if settings.prefect_database_url:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = settings.prefect_database_url
    command = [
        str(BIN / "prefect"),
        "server",
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(settings.prefect_port),
    ]
    service = _spawn("prefect-server", command, env, settings.data_dir / "logs")
    try:
        _wait_healthy(service, f"{prefect_api_url(settings)}/health", timeout)
    except ServiceFailed:
        service.stop()
        raise
    return service


def start_flow_runner(settings: Settings, *, timeout: float = 120) -> Service:
    """Serves Cellule's deployments (the protocol per incident, the minute tick, the hourly and weekly
    jobs); returns once the protocol's deployment is registered, so the first signal's run can start."""
    from cellule.deployments import RESPOND, deployment_name

    api_url = prefect_api_url(settings)
    env = child_environment(PREFECT_API_URL=api_url)
    service = _spawn(
        "flow-runner", [sys.executable, "-m", "cellule.deployments"], env, settings.data_dir / "logs"
    )
    try:
        _wait_healthy(service, f"{api_url}/deployments/name/{deployment_name(RESPOND)}", timeout)
    except ServiceFailed:
        service.stop()
        raise
    return service


def start_task_worker(settings: Settings, *, name: str = "task-worker", limit: int | None = None) -> Service:
    """Cellule's task worker, taking the protocol's background task runs (`cellule.task_worker`).

    Nothing to wait for: a run queued before the worker subscribes waits on the Prefect server for it.
    (Prefect's optional status server is not used: it reconfigures logging under Prefect's API log
    handler and the worker exits.) It shares this process's PREFECT_HOME, where a task's parameters are
    stored.
    """
    env = child_environment(PREFECT_API_URL=prefect_api_url(settings))
    command = [sys.executable, "-m", "cellule.task_worker"] + (["--limit", str(limit)] if limit else [])
    service = _spawn(name, command, env, settings.data_dir / "logs")
    time.sleep(1)
    if service.process.poll() is not None:
        raise ServiceFailed(f"{name} exited with code {service.process.returncode}; see {service.log}")
    return service


@contextmanager
def running(*starters) -> Iterator[list[Service]]:  # type: ignore[no-untyped-def]
    """Start services in order; stop the started ones in reverse order, whatever happens."""
    services: list[Service] = []
    try:
        for start in starters:
            services.append(start())
        yield services
    finally:
        for service in reversed(services):
            service.stop()


@contextmanager
def following_nudges(data_dir: Path, api_url: str) -> Iterator[None]:
    """Server mode's answer to an act typed at the command line: a thread that queues a protocol run
    (a background task) for each incident the act nudged, within a second. The CLI finds `cellule up`
    through the runner lease it holds (`cellule.runner`)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from cellule.triggers import background_run

    stop = threading.Event()

    def failed(incident_id: int, exc: Exception) -> None:
        logging.getLogger("cellule.runner").warning("incident #%s not followed up: %s", incident_id, exc)

    def follow() -> None:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            while not stop.is_set():
                follow_nudges(data_dir, background_run, until=time.monotonic() + 1, failed=failed)

    thread = threading.Thread(target=follow, name="following-nudges", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# ── Work pools and workers: scaling out is Prefect's job ─────────────────────────────────────────────────


def create_process_pool(api_url: str, pool: str) -> None:
    """Create (or keep) a process work pool on the Prefect server at `api_url`."""
    env = child_environment(PREFECT_API_URL=api_url)
    subprocess.run(
        [str(BIN / "prefect"), "work-pool", "create", pool, "--type", "process", "--overwrite"],
        env=env,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )


def deploy_to_pool(api_url: str, pool: str, project_dir: Path) -> None:
    """Register `respond-to-incident/cellule` on the pool, its code read from `project_dir` by the workers."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from cellule.deployments import DEPLOYMENT, respond_to_incident

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        respond_to_incident.from_source(
            source=str(project_dir), entrypoint="cellule/deployments.py:respond_to_incident"
        ).deploy(name=DEPLOYMENT, work_pool_name=pool, print_next_steps=False)


def start_worker(
    api_url: str, pool: str, name: str, *, env: dict[str, str], log_dir: Path, limit: int = 4
) -> Service:
    """A `prefect worker` process polling `pool`, running at most `limit` flow runs at once; `env` carries
    its CELLULE_* settings."""
    command = [str(BIN / "prefect"), "worker", "start", "--pool", pool, "--name", name, "--limit", str(limit)]
    return _spawn(name, command, child_environment(**env, PREFECT_API_URL=api_url), log_dir)
