"""The one replay guard for signed requests (HTTP intake, Slack buttons and slash commands).

A verified request is identified by a hash of what was signed. Its receipt is recorded in the same
transaction as its effect, so a replay — a retry, a copy sent again by someone who captured it — finds
the receipt and is not applied twice, whichever worker it reaches.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import InboundAction


def receive_once(
    session: Session, *, key: str, source: str, at: datetime, outcome: str = ""
) -> InboundAction | None:
    """Record the request `key` in the caller's transaction: its receipt (set `outcome` to its effect once
    known), or None when it was received before — then its effect must not be applied again."""
    if session.scalar(select(InboundAction.id).where(InboundAction.key == key)) is not None:
        return None
    receipt = InboundAction(key=key, source=source, received_at=at, outcome=outcome)
    try:
        with session.begin_nested():
            session.add(receipt)
    except IntegrityError:  # the same request raced in through another worker, which applied it
        return None
    return receipt
