"""How Cellule runs Prefect in-process on the embedded default. Imports nothing from Prefect at load time.

Measured on a 2-core machine (DESIGN.md): the ephemeral server stalls on "database is locked" unless its
event persister, task-run recorder, triggers and log shipping are off, and each flow run waits ~1 s for its
heartbeat thread unless heartbeats are off. With a real Prefect server (PREFECT_API_URL set) these embedded
defaults do not apply: the processes `cellule up` starts (Prefect server, flow runner, workers) get this
process's environment without the names set here (`without_embedded_defaults`), and the flow runner does
not set them again. Whatever the operator set in the environment always wins.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
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


# The embedded defaults this process put in its environment (absent before): not the operator's choice.
_set_here: set[str] = set()


def configure_prefect_environment(data_dir: Path, *, embedded: bool = True) -> None:
    """Set Cellule's defaults before Prefect is first imported (it reads its settings at import).

    `embedded=False` (a process serving a real Prefect server) sets PREFECT_HOME only. A name already in
    the environment is left as the operator set it.
    """
    os.environ.setdefault("PREFECT_HOME", str(data_dir / "prefect"))
    # Prefect creates its home without parents and warns on a fresh checkout, where data/ is not there yet.
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    if not embedded:
        return
    for name, value in _EMBEDDED_DEFAULTS.items():
        if name not in os.environ:
            os.environ[name] = value
            _set_here.add(name)


def without_embedded_defaults(environ: Mapping[str, str]) -> dict[str, str]:
    """A copy of `environ` for a process that is, or talks to, a real Prefect server: without the embedded
    defaults `configure_prefect_environment` set here, and with every value the operator set."""
    return {
        name: value
        for name, value in environ.items()
        if not (name in _set_here and value == _EMBEDDED_DEFAULTS[name])
    }


@contextmanager
def quiet_flow_runs() -> Iterator[None]:
    """Run flows without the per-run heartbeat thread (an empty env var is rejected, so set it here)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
