"""The runtime the protocol runs in: the store, the channels, the clock, and the waiter.

Protocol code never calls `datetime.now()` or `time.sleep()`, nor opens its own database: it asks the
runtime (DESIGN.md principle 3). The front door (CLI, HTTP app, drill runner) builds a runtime and installs
it with `use_runtime()`; flows find it with `current_runtime()`.

Three ways to wait:
- no waiter: a flow stops where it would wait; the store says what is next and a later run resumes
  (the command line, and a scheduled tick in server mode);
- `LiveWaiter`: the wall clock, polling the store until the condition holds or the deadline passes;
- `SimulatedClock` + `SimulatedWaiter`: a discrete-event clock that jumps to the next scripted answer or
  deadline, so a 72-hour protocol runs in well under a second of waiting.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from models import utc_now
from notifications import Channel


class Clock(Protocol):
    def now(self) -> datetime: ...


class Waiter(Protocol):
    def wait_until(self, condition: Callable[[], bool], deadline: datetime) -> bool:
        """Return True as soon as `condition()` holds, False once `deadline` has passed without it."""
        ...


class WallClock:
    """The live clock: real UTC time."""

    def now(self) -> datetime:
        return utc_now()


@dataclass
class LiveWaiter:
    """Waits on the wall clock, asking the store (through `condition`) every `poll_seconds`."""

    clock: Clock
    poll_seconds: float = 5.0

    def wait_until(self, condition: Callable[[], bool], deadline: datetime) -> bool:
        while True:
            if condition():
                return True
            remaining = (deadline - self.clock.now()).total_seconds()
            if remaining <= 0:
                return False
            time.sleep(min(self.poll_seconds, remaining))


class SimulatedClock:
    """A discrete-event clock: time moves only when the waiter jumps to the next event or deadline.

    Events are scheduled callables (a scripted person answering, a new signal arriving). Ties run in the
    order they were scheduled, so a run is deterministic.
    """

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self.events_run = 0

    def now(self) -> datetime:
        return self._now

    def schedule(self, at: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self._queue, (max(at, self._now), next(self._order), action))

    def next_event_at(self) -> datetime | None:
        return self._queue[0][0] if self._queue else None

    def advance_to(self, moment: datetime) -> None:
        """Move time forward to `moment`, running every event due by then, in order."""
        while self._queue and self._queue[0][0] <= moment:
            at, _, action = heapq.heappop(self._queue)
            self._now = max(self._now, at)
            action()
            self.events_run += 1
        self._now = max(self._now, moment)

    def run_pending(self) -> None:
        """Run every remaining event (the end of a drill: late answers still land)."""
        while self._queue:
            self.advance_to(self._queue[0][0])


@dataclass
class SimulatedWaiter:
    """Waits by jumping the simulated clock from event to event, never past the deadline."""

    clock: SimulatedClock

    def wait_until(self, condition: Callable[[], bool], deadline: datetime) -> bool:
        while not condition():
            upcoming = self.clock.next_event_at()
            if upcoming is None or upcoming > deadline:
                self.clock.advance_to(deadline)
                return condition()
            self.clock.advance_to(upcoming)
        return True


@dataclass
class Runtime:
    sessions: sessionmaker[Session]
    channels: dict[str, Channel]
    clock: Clock = field(default_factory=WallClock)
    waiter: Waiter | None = None  # None: stop where a wait would begin, resume later
    reports_dir: Path | None = None  # where post-mortem files go; None: the report lives in the store only

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
