"""What every channel shares: the delivery it is handed, what it reports back, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from notifications.render import RenderedMessage


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver one outbox row through one step of its route."""

    key: str  # the outbox row's idempotency key
    template: str
    locale: str
    address: str  # what the route step names: a Slack user id, "room", an email address, a person key
    is_drill: bool
    message: RenderedMessage
    incident_ref: str | None = None
    incident_title: str | None = None
    room_id: str | None = None  # the incident's Slack channel, once it exists
    # An earlier attempt at this step may have reached the provider (its sender died, or the answer was
    # lost): a channel that can look should check before sending again.
    maybe_delivered: bool = False


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    room_id: str | None = None  # a Slack channel created or found for the incident
    body: str | None = None  # the exact text handed to the provider, kept as `sent_body`


class DeliveryError(Exception):
    """A send failed. `retryable` says whether trying the same route step later may succeed."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after  # seconds the provider asked us to wait, if it said


class Channel(Protocol):
    """One outside system that can deliver a message to an address."""

    name: str

    def send(self, delivery: Delivery) -> SendResult:
        """Deliver the message or raise `DeliveryError`."""
        ...
