"""Correct with many workers: a Prefect server on PostgreSQL, two workers, a burst of signals.

Eight reviews of one hotel arrive at once from eight threads; each starts its own protocol run, so both
workers run the protocol on the same incident concurrently. Database constraints and row locks — not
in-process locks — must still give one incident, every signal linked, and each message sent once:
checked on the outbox and on what the fake Slack Web API received.
"""

from __future__ import annotations

import io
import json
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cellule.reporting import report_attacks
from cellule.server import (
    create_process_pool,
    deploy_to_pool,
    running,
    start_prefect_server,
    start_worker,
)
from cellule.settings import Settings
from cellule.store import open_store, upgrade_database
from flows.intake.reports import parse_report
from flows.kit.loading import example_kit_path, load_kit, read_kit
from flows.runtime import Runtime
from models import Incident, Notification, NotificationStatus, Signal, transaction
from notifications import ConsoleChannel
from tests.conftest import throwaway_postgres_database

PROJECT_DIR = Path(__file__).resolve().parents[2]
POOL = "cellule-test"
BURST = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def store_url():
    with throwaway_postgres_database() as url:
        upgrade_database(url)
        sessions = open_store(url)
        path = example_kit_path("hotel")
        with transaction(sessions) as session:
            load_kit(session, kit=read_kit(path), source=str(path), sha256="0" * 64)
        sessions.kw["bind"].dispose()
        yield url


@pytest.fixture
def prefect_on_postgres(tmp_path):
    with throwaway_postgres_database() as url:
        yield Settings(
            data_dir=tmp_path,
            prefect_port=free_port(),
            prefect_database_url=url.replace("postgresql+psycopg", "postgresql+asyncpg"),
        )


def slack_keys(fake_slack) -> list[str]:
    keys = []
    for payload in fake_slack.calls_to("chat.postMessage"):
        metadata = (
            payload["metadata"] if isinstance(payload["metadata"], dict) else json.loads(payload["metadata"])
        )
        keys.append(metadata["event_payload"]["key"])
    return keys


def wait_for_runs(api_url: str, expected: int, timeout: float) -> list:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deadline = time.monotonic() + timeout
    with temporary_settings(updates={PREFECT_API_URL: api_url}), get_client(sync_client=True) as client:
        while True:
            runs = [r for r in client.read_flow_runs() if r.name and r.parent_task_run_id is None]
            top = [r for r in runs if r.deployment_id is not None]
            if len(top) >= expected and all(r.state and r.state.is_final() for r in top):
                return top
            if time.monotonic() > deadline:
                states = sorted(str(r.state.type if r.state else None) for r in top)
                raise AssertionError(f"flow runs not finished in {timeout:.0f} s: {states}")
            time.sleep(1)


def test_two_workers_and_a_burst_make_one_incident_and_send_each_message_once(
    store_url, prefect_on_postgres, fake_slack, tmp_path
):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from cellule.triggers import deployment_run, run_key

    settings = prefect_on_postgres
    api_url = f"http://127.0.0.1:{settings.prefect_port}/api"
    worker_env = {
        "CELLULE_DATABASE_URL": store_url,
        "CELLULE_SLACK_BOT_TOKEN": "xoxb-test-token",
        "CELLULE_SLACK_API_URL": fake_slack.base_url,
        "CELLULE_DATA_DIR": str(tmp_path),
        "PREFECT_HOME": str(tmp_path / "worker-home"),
        "PREFECT_LOGGING_LEVEL": "INFO",  # so each worker's log says which runs it took
    }
    with running(lambda: start_prefect_server(settings)):
        create_process_pool(api_url, POOL)
        deploy_to_pool(api_url, POOL, PROJECT_DIR)
        with running(
            lambda: start_worker(
                api_url, POOL, "worker-a", env=worker_env, log_dir=tmp_path / "logs", limit=BURST // 2
            ),
            lambda: start_worker(
                api_url, POOL, "worker-b", env=worker_env, log_dir=tmp_path / "logs", limit=BURST // 2
            ),
        ):
            runtime = Runtime(
                sessions=open_store(store_url), channels={"console": ConsoleChannel(io.StringIO())}
            )

            def report(n: int):
                review = {
                    "target": "Hôtel des Lilas",
                    "platform": "google",
                    "external_id": f"burst-{n}",
                    "rating": 1,
                    "text": f"Avis négatif numéro {n}.",
                }
                return report_attacks(runtime, [parse_report(review)], source="api")[0]

            with ThreadPoolExecutor(max_workers=BURST) as pool:
                outcomes = list(pool.map(report, range(BURST)))
            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                for outcome in outcomes:  # one run per signal: the workers race on the same incident
                    deployment_run(outcome.incident_id, run_key(outcome))
            runs = wait_for_runs(api_url, BURST, timeout=240)

    assert all(r.state.is_completed() for r in runs), [r.state for r in runs]
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
        incident = session.scalars(select(Incident)).one()
        assert session.scalar(select(func.count()).where(Signal.incident_id == incident.id)) == BURST
        rows = session.scalars(select(Notification)).all()
    assert rows and all(n.status == NotificationStatus.SENT and n.attempts == 1 for n in rows)
    keys = slack_keys(fake_slack)
    assert len(keys) == len(set(keys)) == len(rows)
    assert len(fake_slack.calls_to("conversations.create")) >= 1
    ran = {
        worker: runs_taken((tmp_path / "logs" / f"{worker}.log").read_text())
        for worker in ("worker-a", "worker-b")
    }
    assert all(ran.values()), ran  # both workers took part
    assert set().union(*ran.values()) == {str(r.id) for r in runs}


def runs_taken(log: str) -> set[str]:
    """The flow runs a worker submitted and did not have to give up (another worker took them first)."""
    submitted = set(re.findall(r"submitting flow run '([0-9a-f-]+)'", log))
    aborted = set(re.findall(r"Aborted submission of flow run '([0-9a-f-]+)'", log))
    return submitted - aborted
