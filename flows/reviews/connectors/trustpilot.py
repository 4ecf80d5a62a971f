"""Trustpilot: the business's reply to a service review, through the private Service Reviews API.

`POST {base}/v1/private/reviews/{reviewId}/reply` with `{"authorBusinessUserId": …, "message": text}` and
an OAuth 2.0 bearer token for a business user; the answer is `201 Created`.
Source: developers.trustpilot.com (Service Reviews API, "Reply to a review").
"""

from __future__ import annotations

from flows.reviews.connectors.base import DEFAULT_TIMEOUT, PublishResult, path_segment, send_json
from models import ReviewCase

BASE_URL = "https://api.trustpilot.com"


class TrustpilotConnector:
    name = "trustpilot"
    platforms: frozenset[str] | None = frozenset({"trustpilot"})

    def __init__(
        self,
        *,
        access_token: str,
        business_user_id: str,
        base_url: str = BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._token = access_token
        self.business_user_id = business_user_id
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def publish(self, case: ReviewCase, text: str) -> PublishResult:
        review = path_segment(case.review_id, "review id")
        send_json(
            "POST",
            f"{self.base_url}/v1/private/reviews/{review}/reply",
            token=self._token,
            body={"authorBusinessUserId": self.business_user_id, "message": text},
            timeout=self.timeout,
        )
        return PublishResult(reference=case.review_id, url=case.url)
