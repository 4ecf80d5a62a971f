"""Notifications: the outbox, its dispatcher, the channels (Slack, email, console) and message rendering.

Every message to a person is first an outbox row (`enqueue`), written in the caller's transaction; the
dispatcher (`dispatch_due`) later sends it once, through the first channel of its route that works.
"""

from notifications.channels import Channel, Delivery, DeliveryError, SendResult
from notifications.console import ConsoleChannel
from notifications.dispatcher import DispatchReport, dispatch_due
from notifications.email import EmailChannel
from notifications.outbox import enqueue, message_person, route_for
from notifications.render import RenderedMessage, render_message, slack_escape, truncate
from notifications.slack import REJECTION_FORM, SlackChannel, SlackError, make_slack_client

__all__ = [
    "REJECTION_FORM",
    "Channel",
    "ConsoleChannel",
    "Delivery",
    "DeliveryError",
    "DispatchReport",
    "EmailChannel",
    "RenderedMessage",
    "SendResult",
    "SlackChannel",
    "SlackError",
    "dispatch_due",
    "enqueue",
    "make_slack_client",
    "message_person",
    "render_message",
    "route_for",
    "slack_escape",
    "truncate",
]
