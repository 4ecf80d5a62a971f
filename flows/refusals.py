"""The one family of refusals: what a person asked for cannot be done, and nothing was changed.

A service raises a `Refusal` (or one of its kinds: `QuorumError`, `IntakeError`, `NoKit`, `ReviewError`…)
with a message a person can act on, whoever they are and whatever door they came through: the message
quotes outside text with `!r` and names no command of any door. Each door maps the family once — the
CLI to a message, its own hint and exit code 2 (`cellule/commands/common.py`), HTTP to a 4xx with the
reason (`cellule/web/errors.py`), Slack to an ephemeral message or a form error.

`kind` tells a door which hint to add ("no_incident": list the incidents…); `details` carries the
values a hint names (an incident's reference, a draft's label), never markup.
"""

from __future__ import annotations

from typing import ClassVar


class Refusal(Exception):
    """A user-caused refusal: a clear message, safe to show as plain text; nothing was changed."""

    kind: ClassVar[str] = "refused"
    status: ClassVar[int] = 409  # what an HTTP door answers: the request conflicts with the store's state

    def __init__(self, message: str, *, kind: str | None = None, **details: str) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind  # type: ignore[misc]  # an instance may be more precise than its class
        self.details = details

    @property
    def message(self) -> str:
        return str(self)


class NotFound(Refusal):
    """Something a person named (an incident, a person, a draft, a file) does not exist."""

    status = 404
