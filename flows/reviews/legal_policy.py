"""The kit's legal clocks, and where a review's first publication is known from.

Below both the review cases (which start a clock as they open) and the clock itself (which names cases),
so that neither has to import the other.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from flows.kit.library_schema import LegalPolicy
from flows.kit.loading import current_kit

PLATFORM, FIRST_SEEN = "platform", "first_seen"  # where the first publication time came from


def legal_policy(session: Session) -> LegalPolicy:
    """The kit's legal clocks; the shipped default (France, three months) when no kit is loaded."""
    found = current_kit(session)
    return found[1].legal if found else LegalPolicy()
