"""The protocol's flows and tasks called as the plain functions they decorate, for a simulated series.

A drill plays about twenty flow runs and eighty task runs; Prefect's bookkeeping for each costs far
more than the work (DESIGN.md). A series of a hundred drills is better seen as one flow run with one
task per drill, each drill playing the very same `crisis_response` and its phases through the function
Prefect wraps (`Flow.fn`, `Task.fn`): the protocol is not copied, only its orchestration left out.

Inside `plain_protocol()`, calling any flow or task runs its `.fn` directly. The switch is a context
variable, so it holds for the block's own thread only: a flow run elsewhere in the process (another
thread, the worker's next run) keeps its orchestration.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from prefect.flows import Flow
from prefect.tasks import Task

_plain: ContextVar[bool] = ContextVar("cellule_plain_protocol", default=False)
_installed = threading.Lock()
_switches: list[type] = []


def _switchable(original: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: Flow[..., Any] | Task[..., Any], *args: Any, **kwargs: Any) -> Any:
        if _plain.get():
            return self.fn(*args, **kwargs)
        return original(self, *args, **kwargs)

    call.__doc__ = original.__doc__
    return call


def _install() -> None:
    """Give Flow and Task calls the switch, once per process."""
    with _installed:
        for kind in (Flow, Task):
            if kind not in _switches:
                kind.__call__ = _switchable(kind.__call__)  # type: ignore[method-assign]
                _switches.append(kind)


@contextmanager
def plain_protocol() -> Iterator[None]:
    """Within the block (this thread), every flow and task call runs the plain function it wraps."""
    _install()
    token = _plain.set(True)
    try:
        yield
    finally:
        _plain.reset(token)
