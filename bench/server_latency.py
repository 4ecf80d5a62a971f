"""Server mode: how long from an accepted signal to the first Slack call, per way of running the protocol.

A real Prefect server (its own SQLite), a real store with the hotel kit, and a fake Slack Web API on
loopback. For each incident the benchmark stores and triages a signal (what the HTTP door does before it
answers), then starts the protocol one of two ways and times the first request the fake Slack receives:

- **deployment run**: `run_deployment` of `respond-to-incident`, served by `serve()` in a long-lived
  process, which spawns a process per flow run (what `cellule up` did until now);
- **background task**: `task.delay()` of the same protocol, served by `prefect.task_worker.serve` in a
  long-lived process: no process per run, and any number of task workers share the queue.

Floor, same run: an empty deployment run — submit, running, insert one row, post one Slack message.
The modes alternate per incident, so the machine's noise falls on both alike.

Run: .venv/bin/python bench/server_latency.py [--incidents 20]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
WORK = Path(tempfile.mkdtemp(prefix="cellule-server-bench-"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PREFECT_PORT = _free_port()
# This process is a client of the real server below: set before anything imports Prefect.
os.environ.update(
    PREFECT_API_URL=f"http://127.0.0.1:{PREFECT_PORT}/api",
    PREFECT_HOME=str(WORK / "prefect-client"),
    PREFECT_LOCAL_STORAGE_PATH=str(WORK / "task-parameters"),  # shared with the task worker
    PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW="ignore",
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
)

from _harness import RecordingSlack, Row, fresh_store, percentile, review  # noqa: E402

from cellule.reporting import report_attacks  # noqa: E402
from cellule.server import Service, _spawn, child_environment, start_prefect_server  # noqa: E402
from cellule.settings import Settings  # noqa: E402
from cellule.store import open_store  # noqa: E402
from flows.intake.reports import parse_report  # noqa: E402
from flows.runtime import Runtime  # noqa: E402
from notifications.slack import room_name  # noqa: E402

TOKEN = "xoxb-bench-" + "0" * 32
WAIT = 120.0  # seconds an alert may take before the benchmark gives up on it


@contextmanager
def prefect_processes(env: dict[str, str]) -> Iterator[None]:
    """The Prefect server, the deployments served, and a task worker; stopped whatever happens."""
    settings = Settings(data_dir=WORK, prefect_port=PREFECT_PORT)
    services: list[Service] = [start_prefect_server(settings)]
    try:
        deployments = [sys.executable, str(BENCH_DIR / "_served_deployments.py")]
        services.append(_spawn("deployments", deployments, env, WORK / "logs"))
        services.append(
            _spawn("task-worker", [sys.executable, "-m", "cellule.task_worker"], env, WORK / "logs")
        )
        yield
    finally:
        for service in reversed(services):
            service.stop()


def _measure(slack: RecordingSlack, start_it: Callable[[], None], needle: str) -> float:
    start = time.time()
    start_it()
    return slack.first_after(start, needle, wait=WAIT)


def _start_protocol(mode: str, incident_id: int) -> None:
    """Start the protocol for one incident the way `mode` says (imported late: after the env is set)."""
    from prefect.deployments import run_deployment

    from cellule.task_worker import respond_now

    if mode == "deployment":
        run_deployment("respond-to-incident/cellule", parameters={"incident_id": incident_id}, timeout=0)
    else:
        respond_now.delay(incident_id)


def _start_floor(n: int) -> None:
    from _served_deployments import FLOOR_DEPLOYMENT
    from prefect.deployments import run_deployment

    run_deployment(FLOOR_DEPLOYMENT, parameters={"n": n}, timeout=0)


def _alert_time(slack: RecordingSlack, runtime: Runtime, mode: str, signal: dict) -> float:
    """Store and triage `signal`, start its protocol, and time the incident's first Slack call."""
    [reported] = report_attacks(runtime, [parse_report(signal)], source="bench")
    return _measure(
        slack, lambda: _start_protocol(mode, reported.incident_id), needle=room_name(reported.incident_ref)
    )


def run(incidents: int) -> dict[str, list[float]]:
    sys.path.insert(0, str(BENCH_DIR))
    slack = RecordingSlack()
    times: dict[str, list[float]] = {"deployment": [], "background": [], "floor": []}
    with fresh_store("sqlite") as url:
        env = child_environment(
            CELLULE_DATABASE_URL=url,
            CELLULE_DATA_DIR=str(WORK),
            CELLULE_SLACK_BOT_TOKEN=TOKEN,
            CELLULE_SLACK_API_URL=slack.url,
            PYTHONPATH=str(BENCH_DIR.parent),
        )
        runtime = Runtime(sessions=open_store(url), channels={})
        with prefect_processes(env):
            warm_up(slack, runtime)
            for n in range(incidents):
                for offset, mode in enumerate(("deployment", "background")):
                    # Review ids unique across modes: the same id is the same review, whatever the target.
                    signal = review(1 + n + 1000 * offset, target=f"{mode} {n}")
                    times[mode].append(_alert_time(slack, runtime, mode, signal))
                    print(f"{mode:>10} {n}: {times[mode][-1]:.2f} s", file=sys.stderr)
                times["floor"].append(_measure(slack, lambda n=n: _start_floor(n), needle=f"floor {n}"))
    slack.server.stop()
    return times


def warm_up(slack: RecordingSlack, runtime: Runtime) -> None:
    """Until the deployments are served and the task worker listens, nothing is measured."""
    deadline = time.time() + WAIT
    while True:
        try:
            _measure(slack, lambda: _start_floor(-1), needle="floor -1")
            break
        except Exception:  # noqa: BLE001 - not registered yet: the serving process is still starting
            if time.time() > deadline:
                raise
            time.sleep(1)
    _alert_time(slack, runtime, "background", review(0, target="warm-up"))


def rows(short: bool) -> list[Row]:
    times = run(5 if short else 20)
    floor = percentile(times["floor"], 99)
    measure = "server mode: accepted signal → first Slack call, p99 / empty deployment run"
    return [
        Row.measured(f"{measure} (background task)", percentile(times["background"], 99), floor, at_most=1.5),
        Row.measured(f"{measure} (deployment run)", percentile(times["deployment"], 99), floor, at_most=1.5),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=20)
    args = parser.parse_args()
    times = run(args.incidents)
    for mode, values in times.items():
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"{mode:>10}: p50 {p50:6.2f} s   p99 {p99:6.2f} s   ({len(values)} runs)")
    floor = percentile(times["floor"], 99)
    for mode in ("background", "deployment"):
        print(f"{mode:>10} p99 / floor p99: {percentile(times[mode], 99) / floor:.2f}×")


if __name__ == "__main__":
    main()
