"""The seam to each review platform's reply API: one connector per platform, one verb — `publish`.

A connector sends the exact text it is given and says where the reply lives (`PublishResult`), or raises
`ConnectorError` saying whether trying again may help. It knows nothing of drafts or the quorum: the
checks that no reply leaves without its approval live in `flows.reviews.public_reply`, before any connector
is called.
"""

from __future__ import annotations

from flows.reviews.connectors.base import ConnectorError, PublishResult, ReplyConnector
from flows.reviews.connectors.google import GoogleBusinessProfileConnector
from flows.reviews.connectors.manual import ManualConnector
from flows.reviews.connectors.trustpilot import TrustpilotConnector

CONNECTORS = ("manual", "google", "trustpilot")

__all__ = [
    "CONNECTORS",
    "ConnectorError",
    "GoogleBusinessProfileConnector",
    "ManualConnector",
    "PublishResult",
    "ReplyConnector",
    "TrustpilotConnector",
]
