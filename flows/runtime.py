"""The runtime the protocol runs in: the store, the notification channels, and the clock.

Protocol code never calls `datetime.now()` or opens its own database: it asks the runtime (DESIGN.md
principle 3). The front door (CLI, HTTP app, drill runner) builds a runtime and installs it with
`use_runtime()`; flows find it with `current_runtime()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from models import utc_now
from notifications import Channel


class Clock(Protocol):
    def now(self) -> datetime: ...


class WallClock:
    """The live clock: real UTC time."""

    def now(self) -> datetime:
        return utc_now()


@dataclass
class Runtime:
    sessions: sessionmaker[Session]
    channels: dict[str, Channel]
    clock: Clock = field(default_factory=WallClock)

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def available_channels(self) -> set[str]:
        return set(self.channels)


_current: Runtime | None = None


class NoRuntime(RuntimeError):
    """A flow ran without a runtime: the front door must install one with `use_runtime()`."""


def current_runtime() -> Runtime:
    if _current is None:
        raise NoRuntime("no Cellule runtime installed; wrap the call in `use_runtime(...)`")
    return _current


@contextmanager
def use_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """Install `runtime` for the flows inside the block (a module global: Prefect runs tasks in threads)."""
    global _current
    previous, _current = _current, runtime
    try:
        yield runtime
    finally:
        _current = previous
