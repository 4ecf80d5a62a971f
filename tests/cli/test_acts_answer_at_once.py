"""An act a person types answers at once: confirmation first, follow-ups after (or left to the runner),
and a follow-up that fails never undoes the act — the person is told in one line, without a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cellule.runner import holding_lease, take_nudges
from cellule.store import open_store
from flows.kit.loading import example_kit_path, load_kit, read_kit
from models import Incident, Notification, transaction

REVIEW = ["--target", "Hôtel des Lilas", "--platform", "google", "--id", "g-7", "--rating", "1"]
REVIEW += ["--text", "Chambre sale, personnel odieux."]


@pytest.fixture
def cellule(cellule_cli):  # type: ignore[no-untyped-def]
    assert cellule_cli("kit", "load", "hotel").exit_code == 0
    return cellule_cli


def test_an_act_prints_its_confirmation_before_its_follow_ups(cellule, prefect_server):
    assert cellule("report", *REVIEW).exit_code == 0
    result = cellule("decline", "CRI-2026-0001", "--as", "claire.morel")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    confirmed = next(i for i, line in enumerate(lines) if "Claire Morel steps aside" in line)
    # The backup's call goes out on the console channel: after the confirmation, never before it.
    assert confirmed == 0, result.output
    assert len(lines) > 1, "the follow-up (the backup's call) printed nothing"


def test_with_a_live_runner_an_act_leaves_its_follow_ups_to_it(cellule, sqlite_url, tmp_path):
    data_dir = tmp_path / "data"
    with holding_lease(data_dir, "watch"):
        result = cellule("report", *REVIEW)
        assert result.exit_code == 0, result.output
        assert "incident opened CRI-2026-0001" in result.output
        assert "Follow-ups go to the running `cellule watch`" in result.output
        with transaction(open_store(sqlite_url)) as session:
            assert session.scalar(select(func.count()).select_from(Notification)) == 0  # nobody alerted here
            incident_id = session.scalars(select(Incident.id)).one()
        assert take_nudges(data_dir) == [incident_id]  # the runner's to follow up, within a second


def test_a_follow_up_that_fails_leaves_the_act_committed_and_says_so(database_url, tmp_path):
    """`cellule report` with the Prefect API unreachable (a closed loopback port): the incident is opened
    and stays so; the person reads one calm line saying the cell was not alerted yet, no traceback."""
    _load_hotel(database_url)
    closed = _closed_port()
    env = os.environ | {
        "CELLULE_DATABASE_URL": database_url,
        "CELLULE_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_API_URL": f"http://127.0.0.1:{closed}/api",
        "PREFECT_CLIENT_MAX_RETRIES": "0",
        "PREFECT_HOME": str(tmp_path / "prefect"),
    }
    env.pop("CELLULE_SLACK_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "cellule.cli", "report", *REVIEW],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "incident opened CRI-2026-0001" in done.stdout
    assert "Recorded. The cell could not be alerted yet:" in done.stderr
    assert "`cellule watch` (or `cellule tick`) will retry" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2, done.stderr  # one line (two if the terminal wraps)
    with transaction(open_store(database_url)) as session:
        assert session.scalars(select(Incident.ref)).all() == ["CRI-2026-0001"]
    assert "Traceback" in (tmp_path / "data" / "logs" / "follow-ups.log").read_text(encoding="utf-8")


def _load_hotel(url: str) -> None:
    path = example_kit_path("hotel")
    with transaction(open_store(url)) as session:
        load_kit(session, kit=read_kit(path), source=str(path), sha256="0" * 64)


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed once the probe is: nothing listens there


READ_ONLY = [
    ["--help"],
    ["incidents"],
    ["show", "CRI-2026-0001"],
    ["kit", "show"],
    ["drafts", "CRI-2026-0001"],
    ["drill", "list"],
    ["drill", "journal"],
]

PROBE = """
import atexit, sys
verdict = sys.argv[1]
def said():
    loaded = sorted(m for m in sys.modules if m == "prefect" or m.startswith("prefect."))
    open(verdict, "w").write("prefect loaded" if loaded else "prefect not loaded")
atexit.register(said)
sys.argv = ["cellule", *sys.argv[2:]]
from cellule.cli import main
main()
"""


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_read_only_commands_never_import_prefect(command, sqlite_url, tmp_path):
    _load_hotel(sqlite_url)
    from cellule.reporting import report_attacks
    from flows.intake.reports import parse_report
    from flows.runtime import Runtime

    runtime = Runtime(sessions=open_store(sqlite_url), channels={})
    report_attacks(runtime, [parse_report({"target": "Hôtel des Lilas", "text": "Sale."})], source="cli")
    verdict = tmp_path / "verdict"
    env = os.environ | {"CELLULE_DATABASE_URL": sqlite_url, "CELLULE_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(verdict), *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # It answered (an empty drill journal says so with exit code 1), and not with a crash.
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert verdict.read_text() == "prefect not loaded"


def test_a_runner_that_died_holds_no_lease(tmp_path: Path):
    from cellule.runner import live_runner

    with holding_lease(tmp_path, "watch") as runner:
        held = live_runner(tmp_path)
        assert held is not None and (held.kind, held.pid) == ("watch", os.getpid())
        lease = (tmp_path / "runner.lease").read_text()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    (tmp_path / "runner.lease").write_text(lease.replace(f'"pid": {runner.pid}', f'"pid": {dead_pid}'))
    assert str(dead_pid) in (tmp_path / "runner.lease").read_text()
    assert live_runner(tmp_path) is None  # a fresh heartbeat, but its process is gone (SIGKILL, a crash)

    from datetime import datetime, timedelta

    from cellule.runner import EXPIRY

    later = datetime.fromisoformat(json.loads(lease)["heartbeat_at"]) + EXPIRY + timedelta(seconds=1)
    (tmp_path / "runner.lease").write_text(lease)  # its own, live process again
    assert live_runner(tmp_path) is not None
    assert live_runner(tmp_path, now=later) is None  # but a heartbeat missed twice: a frozen machine


def test_a_store_behind_the_migrations_is_still_brought_up_to_date(cellule_cli, tmp_path, monkeypatch):
    """Recognising an up-to-date store without Alembic must not skip the upgrade of one that is not."""
    from alembic.script import ScriptDirectory

    from cellule.settings import get_settings
    from cellule.store import alembic_config, stored_revision, upgrade_database, written_head
    from models import make_engine

    url = f"sqlite:///{tmp_path / 'behind.db'}"
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert written_head() == head
    before = ScriptDirectory.from_config(alembic_config(url)).get_revision(head).down_revision
    upgrade_database(url, str(before))
    monkeypatch.setenv("CELLULE_DATABASE_URL", url)
    get_settings.cache_clear()
    assert stored_revision(make_engine(url)) == before
    assert cellule_cli("incidents").exit_code == 0
    assert stored_revision(make_engine(url)) == head


def test_slack_answering_500_leaves_the_report_committed_and_says_so(
    cellule, fake_slack, monkeypatch, sqlite_url, prefect_server
):
    from cellule.settings import get_settings
    from tests.fakes.slack import BOT_TOKEN

    for method in fake_slack.METHODS:
        fake_slack.fail(method, "", status=500)
    monkeypatch.setenv("CELLULE_SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("CELLULE_SLACK_API_URL", fake_slack.base_url)
    get_settings.cache_clear()
    result = cellule("report", *REVIEW)
    assert result.exit_code == 0, result.output
    confirmation, *rest = result.output.splitlines()
    assert "incident opened CRI-2026-0001" in confirmation
    assert [line for line in rest if "message(s) could not be sent yet" in line and "will retry" in line]
    assert "Traceback" not in result.output
    with transaction(open_store(sqlite_url)) as session:
        assert session.scalars(select(Incident.ref)).all() == ["CRI-2026-0001"]


def test_a_runner_follows_up_each_nudged_incident_once_and_a_failure_stops_nothing(tmp_path):
    import time

    from cellule.engine import follow_nudges
    from cellule.runner import nudge

    nudge(tmp_path, [3, 1])
    nudge(tmp_path, [3])  # a second act about the same incident before the runner looked
    followed, failures = [], []

    def follow(incident_id: int) -> None:
        followed.append(incident_id)
        if incident_id == 3:
            raise RuntimeError("Slack is down")

    follow_nudges(
        tmp_path, follow, until=time.monotonic(), failed=lambda i, exc: failures.append((i, str(exc)))
    )
    assert followed == [3, 1]
    assert failures == [(3, "Slack is down")]
    assert take_nudges(tmp_path) == []  # taken: the next tick does what is still due


def test_a_second_runner_refuses_to_start_while_the_first_lives(sqlite_url, tmp_path):
    data_dir = tmp_path / "data"
    env = os.environ | {"CELLULE_DATABASE_URL": sqlite_url, "CELLULE_DATA_DIR": str(data_dir)}
    with holding_lease(data_dir, "up"):
        done = subprocess.run(
            [sys.executable, "-m", "cellule.cli", "watch", "--every", "5"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "`cellule up`" in done.stderr and "already keeps the protocol moving here" in done.stderr
    assert "Watching" not in done.stdout
