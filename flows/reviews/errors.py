"""The one exception a review-case action raises when it must refuse, with the reason in words."""

from __future__ import annotations

from flows.refusals import Refusal


class ReviewError(Refusal, ValueError):
    """A review-case action that cannot be done, with what to do instead; nothing was changed."""
