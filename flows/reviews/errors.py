"""The one exception a review-case action raises when it must refuse, with the reason in words."""

from __future__ import annotations


class ReviewError(ValueError):
    """A review-case action that cannot be done, with what to do instead; nothing was changed."""
