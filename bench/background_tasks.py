"""Server mode: the protocol's runs as Prefect background tasks against deployment runs on a process pool.

A Prefect server (its own database on PostgreSQL) and Cellule's store on PostgreSQL. The same N incidents'
protocol runs are started two ways, each served by one long-lived process: `respond_now.delay()`
served by Cellule's task worker (`python -m cellule.task_worker`, every run in the worker's process), and
`respond-to-incident` deployment runs taken by one `prefect worker` on a process pool (a new process per
flow run). Measured: wall time until every run is final, and per incident the time from submission to its
first message sent (the cell's alert, console channel). Floor, same run: the same runs one after the other
in this process (`run_protocol`). Each mode is warmed up by one untimed run first.

Run: .venv/bin/python bench/background_tasks.py [--incidents 10] [--limit 4]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _harness import PROJECT_DIR, Row, fresh_store, percentile
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import func, select
from workers import POOL, floor, free_port, open_incidents, prefect_database, with_workers

from cellule.server import (
    Service,
    child_environment,
    create_process_pool,
    deploy_to_pool,
    running,
    start_prefect_server,
)
from cellule.settings import Settings
from cellule.store import open_store
from flows.runtime import Runtime
from models import Notification, transaction
from notifications import ConsoleChannel


def start_task_worker(api_url: str, env: dict[str, str], log_dir: Path, limit: int) -> Service:
    import subprocess

    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / "task-worker.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cellule.task_worker", "--limit", str(limit)],
            cwd=PROJECT_DIR,
            env=child_environment(**env, PREFECT_API_URL=api_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Service("task-worker", process, log)


def first_messages(runtime: Runtime, incident_ids: set[int]) -> dict[int, datetime]:
    with transaction(runtime.sessions) as session:
        rows = session.execute(
            select(Notification.incident_id, func.min(Notification.sent_at))
            .where(Notification.incident_id.in_(incident_ids), Notification.sent_at.is_not(None))
            .group_by(Notification.incident_id)
        ).all()
    return {incident_id: sent for incident_id, sent in rows}


def as_background_tasks(args, api_url, runtime, env) -> tuple[float, list[float], int]:  # type: ignore[no-untyped-def]
    """Wall time for N incidents' runs as background tasks, latencies to the first message, completed."""
    from cellule.task_worker import respond_now as respond_in_background

    # A background task's parameters travel through result storage: the submitter writes them, the task
    # worker reads them, so both must see the same storage (one folder here; S3 or the like across machines).
    shared = env | {"PREFECT_LOCAL_STORAGE_PATH": str(Path(os.environ["PREFECT_HOME"]) / "storage")}
    warm_up = open_incidents(runtime, "task-warm-up", 1)
    outcomes = open_incidents(runtime, "tasks", args.incidents)
    with (
        running(
            lambda: start_task_worker(api_url, shared, Path(env["CELLULE_DATA_DIR"]) / "logs", args.limit)
        ),
        temporary_settings(updates={PREFECT_API_URL: api_url}),
    ):
        respond_in_background.delay(warm_up[0].incident_id).wait(300)
        submitted = datetime.now(UTC)
        start = time.perf_counter()
        futures = [respond_in_background.delay(o.incident_id) for o in outcomes]
        for future in futures:
            future.wait(args.timeout)
        took = time.perf_counter() - start
        completed = sum(1 for f in futures if f.state.is_completed())
    firsts = first_messages(runtime, {o.incident_id for o in outcomes})
    return took, [(sent - submitted).total_seconds() for sent in firsts.values()], completed


def measure(args: argparse.Namespace) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="cellule-bench-tasks-"))
    with prefect_database() as prefect_url, fresh_store("postgresql") as url:
        settings = Settings(data_dir=data_dir, prefect_port=free_port(), prefect_database_url=prefect_url)
        api_url = f"http://127.0.0.1:{settings.prefect_port}/api"
        env = {
            "CELLULE_DATABASE_URL": url,
            "CELLULE_DATA_DIR": str(data_dir),
            "CELLULE_SLACK_BOT_TOKEN": "",
            "CELLULE_SMTP_HOST": "",
            "PREFECT_HOME": str(data_dir / "worker-home"),
        }
        runtime = Runtime(sessions=open_store(url), channels={"console": ConsoleChannel(io.StringIO())})
        with running(lambda: start_prefect_server(settings)):
            create_process_pool(api_url, POOL)
            with contextlib.redirect_stdout(io.StringIO()):
                deploy_to_pool(api_url, POOL, PROJECT_DIR)
            floor_took, _ = floor(args, api_url, runtime)
            tasks_took, task_latencies, tasks_done = as_background_tasks(args, api_url, runtime, env)
            warm = argparse.Namespace(incidents=1, limit=args.limit, timeout=args.timeout)
            logged = env | {"PREFECT_LOGGING_LEVEL": "INFO"}
            with_workers(1, warm, api_url, runtime, logged, label="pool-warm-up")
            runs_took, runs, _taken = with_workers(1, args, api_url, runtime, logged, label="pool")
            firsts = first_messages(runtime, {r.parameters["incident_id"] for r in runs})
            # From each run's creation (its submission) to its incident's first message.
            run_latencies = [
                (firsts[r.parameters["incident_id"]] - r.created).total_seconds()
                for r in runs
                if r.created and r.parameters["incident_id"] in firsts
            ]
            runs_done = sum(1 for r in runs if r.state and r.state.is_completed())
        runtime.sessions.kw["bind"].dispose()
    return {
        "floor": floor_took,
        "tasks": (tasks_took, task_latencies, tasks_done),
        "runs": (runs_took, run_latencies, runs_done),
    }


def rows(short: bool) -> list[Row]:
    """Full mode only (a Prefect server, a task worker and a process worker: several minutes here)."""
    label = "server mode: N protocol runs as background tasks / as deployment runs on a process pool"
    if short:
        return [Row.not_measured(label, "full mode only: bench/background_tasks.py")]
    m = measure(argparse.Namespace(incidents=10, limit=4, timeout=600))
    return [
        Row.measured(label + " (wall)", m["tasks"][0], m["runs"][0]),
        Row.measured(
            "… first message p50, background task / deployment run",
            percentile(m["tasks"][1], 50),
            percentile(m["runs"][1], 50),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10)
    parser.add_argument("--limit", type=int, default=4, help="runs at once per worker")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    m = measure(args)
    n = args.incidents
    print(f"{n} incidents; store and Prefect's database on PostgreSQL; one worker each, --limit {args.limit}")
    print(f"floor: in-process, one after the other   {m['floor']:7.1f} s")
    for label, (took, latencies, done) in (
        ("background tasks (task worker)", m["tasks"]),
        ("deployment runs (process pool)", m["runs"]),
    ):
        p50 = statistics.median(latencies) if latencies else float("nan")
        p99 = percentile(latencies, 99) if latencies else float("nan")
        print(
            f"{label:<32} {took:7.1f} s  ({took / m['floor']:.2f}× floor)  completed {done}/{n}  "
            f"first message p50 {p50:.1f} s  p99 {p99:.1f} s  (alerted {len(latencies)}/{n})"
        )


if __name__ == "__main__":
    main()
