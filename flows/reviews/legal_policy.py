"""The kit's legal clocks, and where a review's first publication is known from.

Below both the review cases (which start a clock as they open) and the clock itself (which names cases),
so that neither has to import the other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from flows.kit.library_schema import LegalPolicy, add_months
from flows.kit.loading import current_kit

PLATFORM, FIRST_SEEN = "platform", "first_seen"  # where the first publication time came from


def legal_policy(session: Session) -> LegalPolicy:
    """The kit's legal clocks; the shipped default (France, three months) when no kit is loaded."""
    found = current_kit(session)
    return found[1].legal if found else LegalPolicy()


def clock_row(
    policy: LegalPolicy,
    *,
    case_id: int,
    posted_at: datetime | None,
    captured_at: datetime,
    from_platform: bool,
    at: datetime,
) -> dict[str, Any]:
    """A case's legal clock as a row: from the platform's time when the report gave one (`from_platform`),
    else from when we first saw the review; lapsing after the jurisdiction's months and days."""
    rule = policy.clocks[policy.jurisdiction]
    from_platform = from_platform and posted_at is not None
    published = posted_at if from_platform and posted_at is not None else captured_at
    return {
        "case_id": case_id,
        "jurisdiction": policy.jurisdiction,
        "rule": rule.rule,
        "published_at": published,
        "published_source": PLATFORM if from_platform else FIRST_SEEN,
        "lapses_at": add_months(published, rule.months) + timedelta(days=rule.days),
        "reminded_before": [],
        "last_reminded_on": None,
        "reminders_sent": 0,
        "started_at": at,
    }
