"""Server mode's protocol runs as background tasks: two task workers, a burst of signals, one incident.

The same burst as the deployment-run test (eight reviews of one hotel at once, one protocol run each, the
runs racing on one incident), but queued with `background_run` and taken by two long-lived task workers
(`python -m cellule.task_worker`) — several runs in one process at once, which is what the worker's one
runtime for its whole life is for. Constraints and row locks must still give one incident, every run
completed, and each message sent once (outbox and fake Slack).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from cellule.reporting import report_attacks
from cellule.server import running, start_prefect_server, start_task_worker
from cellule.store import open_store
from flows.intake.reports import parse_report
from flows.runtime import Runtime
from models import Incident, Notification, NotificationStatus, transaction
from notifications import ConsoleChannel
from tests.server.test_multi_worker import prefect_on_postgres, slack_keys, store_url  # noqa: F401

BURST = 8


def test_two_task_workers_and_a_burst_make_one_incident_and_send_each_message_once(
    store_url,  # noqa: F811
    prefect_on_postgres,  # noqa: F811
    fake_slack,
    tmp_path,
    monkeypatch,
):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from cellule.triggers import background_run

    settings = prefect_on_postgres
    api_url = f"http://127.0.0.1:{settings.prefect_port}/api"
    # The task workers inherit this environment: the store, Slack, and the shared PREFECT_HOME where a
    # task's parameters are written by the submitter and read by the worker.
    for name, value in {
        "CELLULE_DATABASE_URL": store_url,
        "CELLULE_SLACK_BOT_TOKEN": "xoxb-test-token",
        "CELLULE_SLACK_API_URL": fake_slack.base_url,
        "CELLULE_DATA_DIR": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    runtime = Runtime(sessions=open_store(store_url), channels={"console": ConsoleChannel(io.StringIO())})

    def report(n: int):  # type: ignore[no-untyped-def]
        review = {"target": "Hôtel des Lilas", "platform": "google", "external_id": f"burst-{n}",
                  "rating": 1, "text": f"Avis négatif numéro {n}."}  # fmt: skip
        return report_attacks(runtime, [parse_report(review)], source="api")[0]

    with running(
        lambda: start_prefect_server(settings),
        lambda: start_task_worker(settings, name="task-worker-a", limit=BURST // 2),
        lambda: start_task_worker(settings, name="task-worker-b", limit=BURST // 2),
    ):
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            outcomes = list(pool.map(report, range(BURST)))
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            futures = [background_run(outcome.incident_id) for outcome in outcomes]
            for future in futures:
                future.wait(240)
            states = [future.state for future in futures]

    assert all(state.is_completed() for state in states), states
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
        rows = session.scalars(select(Notification)).all()
    assert rows and all(n.status == NotificationStatus.SENT and n.attempts == 1 for n in rows)
    keys = slack_keys(fake_slack)
    assert len(keys) == len(set(keys)) == len(rows)
