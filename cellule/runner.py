"""Is a runner there? The lease `cellule watch` and `cellule up` hold, and the nudge an act leaves them.

A runner is a long-lived process that keeps the protocol moving: `cellule watch` on the embedded default,
`cellule up` in server mode. It holds a lease file in the data folder (`runner.lease`: kind, pid, host,
heartbeat), rewritten every few seconds by a daemon thread. An act typed in another process reads it: a
live runner gets the act's incidents appended to `runner.nudges` and runs their follow-ups within a
second; with none, the act runs them itself, after its confirmation. The file is beside the store's
settings, not in the store, so it reads the same on SQLite and PostgreSQL and costs no transaction.

A lease counts only while its heartbeat is fresh and, on this host, its process is alive: a runner killed
with SIGKILL stops counting at once, one whose machine froze stops when its heartbeat expires. A nudge is
an optimisation, never the only way a follow-up runs: the runner's periodic tick does everything due
anyway, so a nudge lost in a crash costs one tick interval, not an alert.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEARTBEAT = timedelta(seconds=5)
EXPIRY = 3 * HEARTBEAT  # a heartbeat missed twice is a runner gone
LEASE_FILE = "runner.lease"
NUDGE_FILE = "runner.nudges"


@dataclass(frozen=True)
class Runner:
    """Who holds the lease: `watch` or `up`, its process id and host, and its last heartbeat."""

    kind: str
    pid: int
    host: str
    heartbeat_at: datetime

    def describe(self) -> str:
        return f"`cellule {self.kind}` (pid {self.pid} on {self.host})"


def live_runner(data_dir: Path, *, now: datetime | None = None) -> Runner | None:
    """The runner holding a live lease on `data_dir`, or None (no lease, an expired one, a dead process)."""
    try:
        found = json.loads((data_dir / LEASE_FILE).read_text(encoding="utf-8"))
        runner = Runner(
            kind=str(found["kind"]),
            pid=int(found["pid"]),
            host=str(found["host"]),
            heartbeat_at=datetime.fromisoformat(found["heartbeat_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (now or datetime.now(UTC)) - runner.heartbeat_at > EXPIRY:
        return None
    if runner.host == socket.gethostname() and not _alive(runner.pid):
        return None
    return runner


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


@contextmanager
def holding_lease(data_dir: Path, kind: str) -> Iterator[Runner]:
    """Hold the runner lease on `data_dir` while the block runs, heartbeating from a daemon thread.

    Refuses (`RunnerBusy`) when another live runner holds it: two runners would tick twice as often.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    other = live_runner(data_dir)
    if other is not None and other.pid != os.getpid():
        raise RunnerBusy(f"{other.describe()} already keeps the protocol moving here.")
    runner = Runner(kind=kind, pid=os.getpid(), host=socket.gethostname(), heartbeat_at=datetime.now(UTC))
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT.total_seconds()):
            _write_lease(data_dir, runner)

    _write_lease(data_dir, runner)
    thread = threading.Thread(target=beat, name="runner-lease", daemon=True)
    thread.start()
    try:
        yield runner
    finally:
        stop.set()
        thread.join()
        with suppress(OSError, ValueError):
            mine = json.loads((data_dir / LEASE_FILE).read_text(encoding="utf-8"))
            if mine.get("pid") == runner.pid:
                (data_dir / LEASE_FILE).unlink()


class RunnerBusy(RuntimeError):
    """Another live runner holds the lease."""


def _write_lease(data_dir: Path, runner: Runner) -> None:
    body = {
        "kind": runner.kind,
        "pid": runner.pid,
        "host": runner.host,
        "heartbeat_at": datetime.now(UTC).isoformat(),
    }
    partial = data_dir / f"{LEASE_FILE}.{runner.pid}"
    partial.write_text(json.dumps(body), encoding="utf-8")
    partial.replace(data_dir / LEASE_FILE)  # atomic: a reader never sees half a lease


def nudge(data_dir: Path, incident_ids: Iterable[int]) -> None:
    """Ask the live runner to follow up these incidents now (one short append: atomic for this size)."""
    lines = "".join(f"{incident_id}\n" for incident_id in incident_ids)
    if lines:
        with (data_dir / NUDGE_FILE).open("a", encoding="utf-8") as out:
            out.write(lines)


def take_nudges(data_dir: Path) -> list[int]:
    """The incidents acts asked the runner to follow up since the last call, each once, oldest first."""
    taken = data_dir / f"{NUDGE_FILE}.taken"
    try:
        (data_dir / NUDGE_FILE).replace(taken)
    except FileNotFoundError:
        return []
    ids = [int(line) for line in taken.read_text(encoding="utf-8").split() if line.isdigit()]
    taken.unlink(missing_ok=True)
    return list(dict.fromkeys(ids))
