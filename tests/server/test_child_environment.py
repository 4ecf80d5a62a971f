"""What `cellule up` hands the processes it starts: the embedded Prefect defaults stay behind.

The command line sets them for the ephemeral server (cellule/prefect_env.py). A real Prefect server, the
flow runner and the workers must run without them — or the server records no task runs or events and
receives no run logs — while any value the operator set in the environment still wins. The child
processes are not started: `_spawn` is recorded.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cellule import prefect_env, server
from cellule.server import start_flow_runner, start_prefect_server, start_worker
from cellule.settings import Settings

EMBEDDED = prefect_env._EMBEDDED_DEFAULTS
OPERATOR = {  # set by the operator before `cellule` starts, some to the embedded default's own value
    "PREFECT_LOGGING_LEVEL": "DEBUG",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "true",
}


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, dict[str, str]]:
    """A CLI process as `cellule` starts: the operator's settings, then `configure_prefect_environment`."""
    for name in EMBEDDED:
        monkeypatch.setenv(name, "unset-by-this-test")  # so monkeypatch restores or removes each one
        monkeypatch.delenv(name)
    for name, value in OPERATOR.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(prefect_env, "_set_here", set())
    prefect_env.configure_prefect_environment(tmp_path)

    envs: dict[str, dict[str, str]] = {}

    def spawn(name: str, command: list[str], env: dict[str, str], log_dir: Path) -> server.Service:
        envs[name] = env
        return server.Service(name, None, log_dir / f"{name}.log")  # type: ignore[arg-type]

    monkeypatch.setattr(server, "_spawn", spawn)
    monkeypatch.setattr(server, "_wait_healthy", lambda service, url, timeout: None)
    return envs


def test_the_command_line_itself_runs_with_the_embedded_defaults(spawned: dict[str, dict[str, str]]) -> None:
    assert os.environ["PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED"] == "false"
    assert os.environ["PREFECT_LOGGING_TO_API_ENABLED"] == "false"
    assert os.environ["PREFECT_LOGGING_LEVEL"] == "DEBUG"  # the operator's


def test_server_runner_and_workers_run_without_them_but_with_the_operators_settings(
    spawned: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, prefect_port=4321)
    start_prefect_server(settings)
    start_flow_runner(settings)
    start_worker("http://127.0.0.1:4321/api", "pool", "worker-a", env={"CELLULE_X": "1"}, log_dir=tmp_path)

    assert set(spawned) == {"prefect-server", "flow-runner", "worker-a"}
    for name, env in spawned.items():
        assert {k: env[k] for k in EMBEDDED.keys() - OPERATOR.keys() if k in env} == {}, name
        assert {k: env[k] for k in OPERATOR} == OPERATOR, name
    assert "PREFECT_API_URL" not in spawned["prefect-server"]
    assert spawned["flow-runner"]["PREFECT_API_URL"] == "http://127.0.0.1:4321/api"
    assert spawned["worker-a"]["CELLULE_X"] == "1"


def test_the_flow_runner_counts_as_up_once_the_protocols_deployment_is_registered(
    spawned: dict[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited: list[str] = []
    monkeypatch.setattr(server, "_wait_healthy", lambda service, url, timeout: waited.append(url))
    start_flow_runner(Settings(data_dir=tmp_path, prefect_port=4321))
    # Before this, `cellule up` said it was up while a first signal's run could not find its deployment.
    assert waited == ["http://127.0.0.1:4321/api/deployments/name/respond-to-incident/cellule"]
