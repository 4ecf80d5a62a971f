"""Server mode throughput: incidents processed per minute with one and with two Prefect workers.

A Prefect server (its own database on PostgreSQL), a process work pool with `respond-to-incident` deployed
to it, and Cellule's store on PostgreSQL, shared by the workers. For each worker count, N incidents are
opened by reporting one signal about each of N distinct places, one deployment run per incident is
started as server mode does (`as_deployment_runs`), and the clock stops when every run is in a final
state. Each incident must have its cell alerted (outbox rows). Floor, same run: the same N protocol runs
one after the other in this process (`run_protocol`, same Prefect server and store), no worker.
Ratios are of incidents per minute.

Run: .venv/bin/python bench/workers.py [--incidents 20] [--limit 4] [--timeout 600]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import re
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import POSTGRES_ADMIN_URL, PROJECT_DIR, Row, fresh_store, review
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
)
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import create_engine, func, select, text

from cellule.deployments import RESPOND
from cellule.engine import run_protocol
from cellule.reporting import Reported, report_attacks
from cellule.server import (
    Service,
    create_process_pool,
    deploy_to_pool,
    running,
    start_prefect_server,
    start_worker,
)
from cellule.settings import Settings
from cellule.store import open_store
from cellule.triggers import as_deployment_runs
from flows.intake.reports import parse_report
from flows.runtime import Runtime
from models import Notification, transaction
from notifications import ConsoleChannel

POOL = "cellule-bench"
MAX_INCIDENTS = 200  # one page of Prefect's flow-run query


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def prefect_database() -> Iterator[str]:
    """An empty throw-away PostgreSQL database for Prefect's own tables (asyncpg URL), dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cellule_bench_prefect_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("+psycopg", "+asyncpg") + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def open_incidents(runtime: Runtime, label: str, n: int) -> list[Reported]:
    """One signal about each of n places of its own: n new incidents, each needing a protocol run."""
    reports = [
        parse_report({**review(i, target=f"Hôtel {label} n°{i}"), "external_id": f"{label}-{i}"})
        for i in range(n)
    ]
    outcomes = report_attacks(runtime, reports, source="api")
    assert all(o.opened for o in outcomes), outcomes
    return outcomes


def wait_for_workers(api_url: str, workers: list[Service], timeout: float = 120) -> None:
    """Until every worker has registered with the pool, so that worker start-up is not measured."""
    deadline = time.monotonic() + timeout
    with temporary_settings(updates={PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        while {w.name for w in workers} - {w.name for w in client.read_workers_for_work_pool(POOL)}:
            check_alive(workers)
            if time.monotonic() > deadline:
                raise SystemExit(f"workers not registered within {timeout:.0f} s; see {workers[0].log}")
            time.sleep(0.5)


def check_alive(workers: list[Service]) -> None:
    for worker in workers:
        if worker.process.poll() is not None:
            raise SystemExit(f"{worker.name} exited with code {worker.process.returncode}; see {worker.log}")


def wait_until_final(
    api_url: str, incident_ids: set[int], since: datetime, timeout: float, workers: list[Service]
) -> list[FlowRun]:
    """The `respond-to-incident` runs of these incidents, once all are in a final state."""
    deadline = time.monotonic() + timeout
    flows = FlowFilter(name=FlowFilterName(any_=[RESPOND]))
    recent = FlowRunFilter(expected_start_time=FlowRunFilterExpectedStartTime(after_=since))
    with temporary_settings(updates={PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        while True:
            runs = client.read_flow_runs(flow_filter=flows, flow_run_filter=recent, limit=MAX_INCIDENTS)
            runs = [r for r in runs if r.parameters.get("incident_id") in incident_ids]
            if len(runs) == len(incident_ids) and all(r.state and r.state.is_final() for r in runs):
                return runs
            check_alive(workers)
            if time.monotonic() > deadline:
                states = sorted(str(r.state.type if r.state else None) for r in runs)
                raise SystemExit(f"{len(runs)} runs, not all final within {timeout:.0f} s: {states}")
            time.sleep(0.5)


def runs_taken(log: Path) -> int:
    """How many flow runs a worker submitted and did not give up to another worker."""
    content = log.read_text()
    submitted = set(re.findall(r"submitting flow run '([0-9a-f-]+)'", content))
    aborted = set(re.findall(r"Aborted submission of flow run '([0-9a-f-]+)'", content))
    return len(submitted - aborted)


def alerted(runtime: Runtime, incident_ids: set[int]) -> int:
    """How many of these incidents have at least one message to a person in the outbox."""
    with transaction(runtime.sessions) as session:
        query = select(func.count(func.distinct(Notification.incident_id)))
        return session.scalar(query.where(Notification.incident_id.in_(incident_ids))) or 0


def with_workers(
    count: int,
    args: argparse.Namespace,
    api_url: str,
    runtime: Runtime,
    worker_env: dict[str, str],
    label: str = "",
) -> tuple[float, list[FlowRun], list[int]]:
    """Wall time for N incidents' runs with `count` workers on the pool, the runs, and runs per worker."""
    outcomes = open_incidents(runtime, label or f"{count}w", args.incidents)
    log_dir = Path(worker_env["CELLULE_DATA_DIR"]) / "logs"
    starters = [
        functools.partial(
            start_worker,
            api_url,
            POOL,
            f"worker-{count}w-{i}",
            env=worker_env,
            log_dir=log_dir,
            limit=args.limit,
        )
        for i in range(1, count + 1)
    ]
    with running(*starters) as workers:
        wait_for_workers(api_url, workers)
        since = datetime.now(UTC) - timedelta(seconds=1)
        start = time.perf_counter()
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            as_deployment_runs()(outcomes)
        runs = wait_until_final(api_url, {o.incident_id for o in outcomes}, since, args.timeout, workers)
        took = time.perf_counter() - start
    return took, runs, [runs_taken(w.log) for w in workers]


def floor(args: argparse.Namespace, api_url: str, runtime: Runtime) -> tuple[float, set[int]]:
    """The same protocol runs one after the other in this process; the first, untimed, warms it up."""
    warm_up = open_incidents(runtime, "warm-up", 1)
    outcomes = open_incidents(runtime, "floor", args.incidents)
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        run_protocol(runtime, warm_up[0].incident_id)
        start = time.perf_counter()
        for outcome in outcomes:
            run_protocol(runtime, outcome.incident_id)
        took = time.perf_counter() - start
    return took, {o.incident_id for o in outcomes}


def per_minute(n: int, seconds: float) -> float:
    return n * 60 / seconds


def row(label: str, n: int, took: float, floor_rate: float, done: int, cells: int, taken: str = "") -> str:
    rate = per_minute(n, took)
    return (
        f"{label:<18} {took:8.1f}  {rate:13.1f}  {rate / floor_rate:6.2f}×  {done:>5}/{n:<3}"
        f"  {cells:>9}/{n:<3}  {taken}"
    )


def measure(args: argparse.Namespace) -> dict:
    """The floor's wall time, and per worker count (1, 2): wall time, runs, runs per worker, cells alerted."""
    n = args.incidents
    data_dir = Path(tempfile.mkdtemp(prefix="cellule-bench-workers-"))
    with prefect_database() as prefect_url, fresh_store("postgresql") as url:
        settings = Settings(data_dir=data_dir, prefect_port=free_port(), prefect_database_url=prefect_url)
        api_url = f"http://127.0.0.1:{settings.prefect_port}/api"
        worker_env = {
            "CELLULE_DATABASE_URL": url,
            "CELLULE_DATA_DIR": str(data_dir),
            "CELLULE_SLACK_BOT_TOKEN": "",  # the console channel only: nothing leaves the machine
            "CELLULE_SMTP_HOST": "",
            "PREFECT_HOME": str(data_dir / "worker-home"),
            "PREFECT_LOGGING_LEVEL": "INFO",  # so each worker's log says which runs it took
        }
        runtime = Runtime(sessions=open_store(url), channels={"console": ConsoleChannel(io.StringIO())})
        with running(lambda: start_prefect_server(settings)):
            create_process_pool(api_url, POOL)
            with contextlib.redirect_stdout(io.StringIO()):  # Prefect's deploy advice and table
                deploy_to_pool(api_url, POOL, PROJECT_DIR)
            floor_took, floor_ids = floor(args, api_url, runtime)
            rounds = {count: with_workers(count, args, api_url, runtime, worker_env) for count in (1, 2)}
            cells = {
                count: alerted(runtime, {r.parameters["incident_id"] for r in runs})
                for count, (_took, runs, _taken) in rounds.items()
            }
            floor_cells = alerted(runtime, floor_ids)
        runtime.sessions.kw["bind"].dispose()
    return {
        "n": n,
        "floor": floor_took,
        "floor_cells": floor_cells,
        "rounds": rounds,
        "cells": cells,
        "logs": data_dir,
    }


def rows(short: bool) -> list[Row]:
    """Full mode only: a Prefect server, a pool and two workers take ~10 minutes here, over `make bench`'s
    budget; `bench/run_all.py --full --only workers` (or this script) measures it."""
    label = "server mode: incidents/min with 2 workers / 1 worker (PostgreSQL)"
    if short:
        return [Row.not_measured(label, "full mode only (~10 min): bench/workers.py")]
    m = measure(argparse.Namespace(incidents=20, limit=4, timeout=600))
    rates = {count: per_minute(m["n"], took) for count, (took, _runs, _taken) in m["rounds"].items()}
    floor_rate = per_minute(m["n"], m["floor"])
    return [
        Row.measured(
            "server mode: 1 worker, incidents/min / in-process",
            rates[1],
            floor_rate,
            unit="/min",
        ),
        Row.measured(label, rates[2], rates[1], unit="/min"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=20)
    parser.add_argument("--limit", type=int, default=4, help="flow runs at once per worker")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per worker count")
    args = parser.parse_args()
    if not 1 <= args.incidents <= MAX_INCIDENTS:
        parser.error(f"--incidents must be between 1 and {MAX_INCIDENTS}")
    m = measure(args)
    n, floor_rate = m["n"], per_minute(m["n"], m["floor"])
    print(f"{n} incidents; store and Prefect's database on PostgreSQL; worker --limit {args.limit}")
    print("                     wall s  incidents/min  × floor  completed  cells alerted  runs per worker")
    # run_protocol raises on a failed run: past this point every floor run completed
    print(row("floor: in-process", n, m["floor"], floor_rate, n, m["floor_cells"]))
    rates = {}
    for count, (took, runs, taken) in m["rounds"].items():
        rates[count] = per_minute(n, took)
        done = sum(1 for r in runs if r.state and r.state.is_completed())
        label = f"{count} worker{'s' if count > 1 else ''}"
        print(row(label, n, took, floor_rate, done, m["cells"][count], "/".join(map(str, taken))))
    print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}×   (logs in {m['logs'] / 'logs'})")


if __name__ == "__main__":
    main()
