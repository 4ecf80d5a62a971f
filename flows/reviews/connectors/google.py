"""Google Business Profile: the business's reply to a review, through the My Business API v4.

`PUT {base}/v4/accounts/{account}/locations/{location}/reviews/{review}/reply` with a `ReviewReply` body,
`{"comment": text}`, and an OAuth 2.0 bearer token (scope `business.manage`); the answer is the reply.
Source: developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/updateReply.
It creates the reply, or replaces the existing one, so sending the same text twice leaves one reply.
"""

from __future__ import annotations

from flows.reviews.connectors.base import DEFAULT_TIMEOUT, PublishResult, path_segment, send_json
from models import ReviewCase

BASE_URL = "https://mybusiness.googleapis.com"


class GoogleBusinessProfileConnector:
    name = "google"
    platforms: frozenset[str] | None = frozenset({"google"})

    def __init__(
        self,
        *,
        access_token: str,
        account_id: str,
        location_id: str,
        base_url: str = BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._token = access_token
        self.account_id, self.location_id = account_id, location_id
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def review_name(self, case: ReviewCase) -> str:
        """The review's resource name; a case may carry the full name as its review id (the API's own)."""
        parts = case.review_id.split("/")
        if len(parts) == 6 and parts[0::2] == ["accounts", "locations", "reviews"]:
            account, location, review = parts[1], parts[3], parts[5]
        else:
            account, location, review = self.account_id, self.location_id, case.review_id
        return "/".join(
            (
                "accounts",
                path_segment(account, "account"),
                "locations",
                path_segment(location, "location"),
                "reviews",
                path_segment(review, "review id"),
            )
        )

    def publish(self, case: ReviewCase, text: str) -> PublishResult:
        name = self.review_name(case)
        send_json(
            "PUT",
            f"{self.base_url}/v4/{name}/reply",
            token=self._token,
            body={"comment": text},
            timeout=self.timeout,
        )
        return PublishResult(reference=f"{name}/reply", url=case.url)
