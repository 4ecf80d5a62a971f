"""The default connector: a person posted the approved text themselves; Cellule records where and when."""

from __future__ import annotations

import re

from flows.reviews.connectors.base import PublishResult
from flows.reviews.errors import ReviewError
from models import ReviewCase

_URL = re.compile(r"^https?://\S{1,1990}$")


class ManualConnector:
    """Records that a person posted the reply on the platform, at `url` (who and when: the publish step)."""

    name = "manual"
    platforms: frozenset[str] | None = None  # any platform a person can post on

    def __init__(self, *, url: str) -> None:
        url = url.strip()
        if not _URL.match(url):
            raise ReviewError("Give the address where the reply can be read (--url https://…).")
        self.url = url

    def publish(self, case: ReviewCase, text: str) -> PublishResult:
        return PublishResult(reference=None, url=self.url)
