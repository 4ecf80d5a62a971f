"""The console channel: always available, so the embedded default needs no configuration (principle 9)."""

from __future__ import annotations

from typing import TextIO

from notifications.channels import Delivery, DeliveryError, SendResult

_RULE = "─" * 72


class ConsoleChannel:
    """Writes each message to a text stream (the terminal running Cellule, or a log file)."""

    name = "console"

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def send(self, delivery: Delivery) -> SendResult:
        """Write the message, laid out for a person reading a terminal."""
        body = layout(delivery)
        try:
            self.stream.write(body)
            self.stream.flush()
        except OSError as exc:  # a full disk or a closed pipe may recover; try again later
            raise DeliveryError(f"console: cannot write ({exc})", retryable=True) from exc
        return SendResult(provider_message_id=f"console:{delivery.key}", body=body)


def layout(delivery: Delivery) -> str:
    """The block written for one message: a rule, who it is for, the subject, then the text."""
    return "\n".join(
        [
            _RULE,
            f"To: {delivery.address}",
            f"Subject: {delivery.message.subject}",
            _RULE,
            delivery.message.text,
            _RULE,
            "",
        ]
    )
