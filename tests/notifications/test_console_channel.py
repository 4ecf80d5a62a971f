"""The console channel: the fallback that always works, readable in a terminal."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from notifications import ConsoleChannel, Delivery, render_message

ContextFactory = Callable[..., dict[str, Any]]


def test_a_message_is_laid_out_subject_first_then_text(alert_context: ContextFactory) -> None:
    stream = io.StringIO()
    message = render_message("alert", "en", alert_context())
    delivery = Delivery(
        key="k-1", template="alert", locale="en", address="alice", is_drill=False, message=message
    )

    result = ConsoleChannel(stream).send(delivery)

    lines = stream.getvalue().splitlines()
    assert lines[1:3] == ["To: alice", f"Subject: {message.subject}"]
    assert message.text in stream.getvalue()
    assert result.provider_message_id == "console:k-1"
    assert result.body == stream.getvalue()
