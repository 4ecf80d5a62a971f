"""What every connector is: a name, the platforms it can reach, and `publish(case, text)`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from models import ReviewCase
from notifications.render import clean_text, truncate

DEFAULT_TIMEOUT = 10.0  # seconds; the reply row stays locked meanwhile, so never wait long
USER_AGENT = "cellule/0.1 (crisis management)"
# Platform ids are short URL-safe strings (Google's are base64url, Trustpilot's hex); anything else would
# change the request's path, so it is refused before a byte is sent.
_SAFE_ID = re.compile(r"^[A-Za-z0-9_\-~.]{1,200}$")


@dataclass(frozen=True)
class PublishResult:
    reference: str | None  # the platform's name for the reply (or its review), to find it again
    url: str | None  # where the reply can be read


class ConnectorError(Exception):
    """The platform did not take the reply. `retryable`: a later attempt may succeed (timeouts, 429, 5xx)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class ReplyConnector(Protocol):
    name: str
    platforms: frozenset[str] | None  # the platforms it can publish to; None: any (a person posts it)

    def publish(self, case: ReviewCase, text: str) -> PublishResult:
        """Publish `text`, exactly, as the business's reply to the case's review."""
        ...


def path_segment(value: str, what: str) -> str:
    """`value` as one path segment, or `ConnectorError` if it is not an id a platform would issue."""
    if not _SAFE_ID.match(value) or set(value) == {"."}:
        raise ConnectorError(f"{what} {value!r} is not an id the platform issues", retryable=False)
    return quote(value, safe="")


def send_json(method: str, url: str, *, token: str, body: dict[str, str], timeout: float) -> httpx.Response:
    """One authenticated JSON request; any answer but 2xx becomes a `ConnectorError`."""
    host = urlsplit(url).netloc
    # Serialised here, not by httpx: UTF-8 as is, so the bytes on the wire carry the approved text unchanged.
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.request(method, url, content=content, headers=headers)
    except httpx.TimeoutException:
        raise ConnectorError(f"no answer from {host} within {timeout:g} s", retryable=True) from None
    except httpx.TransportError as exc:
        raise ConnectorError(f"cannot reach {host} ({exc.__class__.__name__})", retryable=True) from None
    if response.is_success:
        return response
    # The platform's words are outside text: cleaned and capped before they reach the store or a terminal.
    said = truncate(" ".join(clean_text(response.text).split()), 300)
    retryable = response.status_code == 429 or response.status_code >= 500
    raise ConnectorError(
        f"{host} answered {response.status_code} {_phrase(response)}" + (f": {said}" if said else ""),
        retryable=retryable,
    )


def _phrase(response: httpx.Response) -> str:
    """The standard words for the status (servers send their own spelling, or none)."""
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return clean_text(response.reason_phrase)[:60]
