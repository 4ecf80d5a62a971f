"""Who may post to the intake API: a bearer token, or an HMAC-SHA256 signature over the body.

Either way is checked on every request. Tokens and the signing secret come from the environment
(`CELLULE_API_TOKENS`, `CELLULE_API_SIGNING_SECRET`) and are compared in constant time; they are never
logged nor echoed. With neither configured the API refuses everything: it is never open by default.

A signed request carries `X-Cellule-Timestamp` (Unix seconds) and `X-Cellule-Signature: sha256=<hex>`,
the HMAC of `"{timestamp}.{raw body}"`. It is refused outside a five-minute window, and its replay key
(a hash of what was signed) is recorded with its effect, so the same signed request is never applied twice.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from cellule.settings import Settings
from cellule.web.errors import Refused
from flows.intake.receipts import receive_once

SIGNATURE_WINDOW_SECONDS = 300
TIMESTAMP_HEADER = "X-Cellule-Timestamp"
SIGNATURE_HEADER = "X-Cellule-Signature"
_TIMESTAMP = re.compile(r"\d{1,12}")
_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class ApiCredentials:
    """What the API accepts. `repr` shows no secret, so logging this object leaks nothing."""

    tokens: tuple[str, ...] = field(default=(), repr=False)
    signing_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiCredentials:
        secret = settings.api_signing_secret
        return cls(settings.api_token_list, secret.get_secret_value() if secret else None)

    @property
    def configured(self) -> bool:
        return bool(self.tokens) or self.signing_secret is not None


@dataclass(frozen=True)
class Caller:
    """An authenticated request. `replay_key` is set for signed requests: record it with the effect."""

    method: str  # "bearer" or "signature"
    replay_key: str | None = None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Cellule-Signature` value for `body` sent at `timestamp` (what a client computes too)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def require_configured(credentials: ApiCredentials) -> None:
    if not credentials.configured:
        raise Refused(
            503, "the intake API is not configured: set CELLULE_API_TOKENS or CELLULE_API_SIGNING_SECRET"
        )


def authenticate(
    credentials: ApiCredentials, headers: Mapping[str, str], body: bytes, *, now: float
) -> Caller:
    """The caller of a request, or `Refused` (503 when nothing is configured, 401 otherwise) with a reason."""
    require_configured(credentials)
    authorization = headers.get("authorization")
    if authorization is not None:
        return _bearer(credentials, authorization)
    if headers.get(SIGNATURE_HEADER) is not None or headers.get(TIMESTAMP_HEADER) is not None:
        return _signed(credentials, headers, body, now=now)
    raise Refused(
        401,
        f"no credentials: send `Authorization: Bearer <token>`, or sign the body "
        f"({TIMESTAMP_HEADER} and {SIGNATURE_HEADER})",
    )


def _bearer(credentials: ApiCredentials, authorization: str) -> Caller:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "the Authorization header must be `Bearer <token>`")
    if not credentials.tokens:
        raise Refused(401, "bearer tokens are not accepted here: sign the request instead")
    given = token.strip().encode("latin-1")  # how Starlette decoded the header: the bytes as sent
    # Compare with every token, without stopping early, so timing says nothing about which one is close.
    matched = False
    for accepted in credentials.tokens:
        matched |= hmac.compare_digest(given, accepted.encode())
    if not matched:
        raise Refused(401, "unknown bearer token")
    return Caller("bearer")


def _signed(credentials: ApiCredentials, headers: Mapping[str, str], body: bytes, *, now: float) -> Caller:
    if credentials.signing_secret is None:
        raise Refused(401, "signed requests are not accepted here: use a bearer token instead")
    timestamp = headers.get(TIMESTAMP_HEADER, "").strip()
    given = _SIGNATURE.fullmatch(headers.get(SIGNATURE_HEADER, "").strip())
    if not _TIMESTAMP.fullmatch(timestamp) or given is None:
        raise Refused(
            401, f"{TIMESTAMP_HEADER} must be Unix seconds and {SIGNATURE_HEADER} must be `sha256=<hex>`"
        )
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
        raise Refused(
            401,
            f"{TIMESTAMP_HEADER} is more than {SIGNATURE_WINDOW_SECONDS // 60} minutes away from the "
            "server's clock: sign again with the current time",
        )
    expected = sign(credentials.signing_secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), f"sha256={given.group(1).lower()}".encode()):
        raise Refused(401, "the signature does not match the body and timestamp")
    signed = hashlib.sha256(timestamp.encode() + b"." + body).hexdigest()
    return Caller("signature", replay_key=f"api:{signed}")


class Replayed(Refused):
    """A verified request that was already received: its effect is not applied again."""

    def __init__(self) -> None:
        super().__init__(
            409, "this signed request was already received: to retry, sign it again with a new timestamp"
        )


def record_once(session: Session, *, key: str, source: str, outcome: str, at: datetime) -> None:
    """Record a verified request in the caller's transaction, with its effect; `Replayed` if already there."""
    if receive_once(session, key=key, source=source, at=at, outcome=outcome) is None:
        raise Replayed()
