"""Loopback fakes of the review platforms' reply APIs (pytest-httpserver): Google Business Profile and
Trustpilot. Each records every request as it arrived — method, path, headers, raw body — and answers as
the platform does, or with a scripted failure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

GOOGLE_TOKEN = "ya29.test-google-access-token"
TRUSTPILOT_TOKEN = "tp-test-business-user-token"
GOOGLE_ACCOUNT, GOOGLE_LOCATION = "108734950385761234567", "4567890123456789012"
TRUSTPILOT_BUSINESS_USER = "5d0b9e5f4de5666d34cf7a1b"


@dataclass
class Received:
    method: str
    path: str  # as sent, still percent-encoded
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class FakePlatform:
    """One platform's reply endpoint: `PUT /v4/…/reply` (Google) or `POST /v1/private/reviews/…/reply`."""

    server: HTTPServer
    method: str
    path: re.Pattern[str]
    token: str
    answer: tuple[int, dict[str, Any] | None]
    calls: list[Received] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)  # (status, body), each used once

    @property
    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def install(self) -> None:
        self.server.expect_request(self.path, method=self.method).respond_with_handler(self._handle)

    def fail_next(self, status: int, body: str = "") -> None:
        self.failures.append((status, body))

    def _handle(self, request: Request) -> Response:
        self.calls.append(
            Received(request.method, request.full_path.rstrip("?"), dict(request.headers), request.get_data())
        )
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        if self.failures:
            status, body = self.failures.pop(0)
            return Response(body, status=status, content_type="text/plain")
        status, payload = self.answer
        return _json(status, payload) if payload is not None else Response(status=status)


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json")


def google(server: HTTPServer) -> FakePlatform:
    """Google's `accounts.locations.reviews.updateReply`: 200 with the `ReviewReply`."""
    fake = FakePlatform(
        server,
        "PUT",
        re.compile(r"^/v4/accounts/[^/]+/locations/[^/]+/reviews/[^/]+/reply$"),
        GOOGLE_TOKEN,
        (200, {"comment": "(echo)", "updateTime": "2026-11-26T10:00:00Z"}),
    )
    fake.install()
    return fake


def trustpilot(server: HTTPServer) -> FakePlatform:
    """Trustpilot's private "reply to a review": 201 Created, no body."""
    fake = FakePlatform(
        server,
        "POST",
        re.compile(r"^/v1/private/reviews/[^/]+/reply$"),
        TRUSTPILOT_TOKEN,
        (201, None),
    )
    fake.install()
    return fake
