"""How Cellule runs Prefect in-process on the embedded default. Imports nothing from Prefect at load time.

Measured on a 2-core machine (DESIGN.md): the ephemeral server stalls on "database is locked" unless its
event persister, task-run recorder, triggers and log shipping are off, and each flow run waits ~1 s for its
heartbeat thread unless heartbeats are off. With a real Prefect server (PREFECT_API_URL set) these server
settings do not apply; whatever the operator set in the environment always wins.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_EMBEDDED_DEFAULTS = {
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_LOGGING_TO_API_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",  # the CLI speaks for itself; Prefect's run logs stay in its UI
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # Its 20 s default is too tight for a first start on a busy 2-core machine (measured: 10–25 s).
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def configure_prefect_environment(data_dir: Path) -> None:
    """Set Cellule's defaults before Prefect is first imported (it reads its settings at import)."""
    os.environ.setdefault("PREFECT_HOME", str(data_dir / "prefect"))
    for name, value in _EMBEDDED_DEFAULTS.items():
        os.environ.setdefault(name, value)


@contextmanager
def quiet_flow_runs() -> Iterator[None]:
    """Run flows without the per-run heartbeat thread (an empty env var is rejected, so set it here)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
