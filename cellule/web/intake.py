"""The intake API, version 1: monitoring tools and review alerts report attacks over HTTP.

Every request is checked in the same order, and the first refusal answers with a reason and stores
nothing: configured (503) → size (413) → credentials (401) → content type (415) → JSON (400) → fields
(422) → a crisis kit to act on (409) → a signed request not seen before (409). Accepted signals are stored
first, in one transaction (a batch is all or nothing), then triaged; the crisis protocol is then started in
the background for the incidents that got a new signal. Reporting the same review or post again is
harmless: the answer names the same incident with `new_signal: false`, and nobody is alerted twice.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cellule.reporting import Reported, report_attacks
from cellule.web.auth import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ApiCredentials,
    Caller,
    authenticate,
    record_once,
    require_configured,
)
from cellule.web.errors import Refused, read_body
from flows.intake.feeds import MAX_FEED_BYTES
from flows.intake.reports import MAX_TEXT_CHARS, SignalReport, describe_errors
from flows.kit.loading import KitError, NoKit
from flows.runtime import Runtime

log = logging.getLogger(__name__)

MAX_SIGNAL_BYTES = 1_000_000
MAX_BATCH_BYTES = MAX_FEED_BYTES  # a batch is a feed posted over HTTP
MAX_BATCH_SIGNALS = 500
OnReported = Callable[[list[Reported]], None]
KIT_HINT = "Load one first: `cellule kit load hotel` (or your own kit file)."


# ── What is posted and what comes back ─────────────────────────────────────────────────────────────────


FIELD_DOCS = {
    "target": "What is attacked: a place, a brand, an account. Spellings of one name correlate.",
    "text": f"The review or post as written (at most {MAX_TEXT_CHARS:,} characters).",
    "platform": "Where it appeared: google, tripadvisor, trustpilot, x, facebook, press… (lower case).",
    "attack_type": "The attack type, if known; otherwise the crisis kit's rules classify it.",
    "external_id": "The platform's id for the review or post: the best key against duplicates.",
    "url": "Where it can be seen (http or https).",
    "author": "The author's display name.",
    "rating": "Star rating, 1 to 5, for a review.",
    "reach": "Estimated audience (views, followers).",
    "observed_at": "When it appeared, with its UTC offset, between 2000 and 2099 (default: when received).",
    "reported_by": "Who reports it (a person, a tool).",
    "is_drill": "True for a fire drill: the incident is an exercise and nothing is published.",
}


def _document_fields(schema: dict[str, Any]) -> None:
    for name, prop in schema.get("properties", {}).items():
        if name in FIELD_DOCS:
            prop["description"] = FIELD_DOCS[name]


class SignalReportV1(SignalReport):
    """One attack seen somewhere: a review, a post, an article. Only `target` and `text` are required."""

    model_config = ConfigDict(title="Signal report", json_schema_extra=_document_fields)


class SignalBatch(BaseModel):
    """Several signals reported at once: all are accepted, or none is."""

    model_config = ConfigDict(extra="forbid")

    signals: Annotated[list[SignalReportV1], Field(min_length=1, max_length=MAX_BATCH_SIGNALS)]


class SignalOutcome(BaseModel):
    """What became of one reported signal."""

    signal_id: int = Field(description="The stored signal (the same id when it is reported again).")
    new_signal: bool = Field(description="False: this review or post had already been reported.")
    incident_ref: str = Field(description="The incident it belongs to, e.g. CRI-2025-0007.")
    opened: bool = Field(description="True: this signal opened the incident.")


class BatchOutcome(BaseModel):
    """What became of each signal of a batch, in the order they were sent."""

    signals: list[SignalOutcome]


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description='Where the problem is, e.g. ["signals", 3, "text"].')
    msg: str = Field(description="What is wrong there.")


class Problem(BaseModel):
    """Why a request was refused. Nothing was stored."""

    detail: str = Field(description="The reason, in words a person can act on.")
    errors: list[FieldProblem] | None = Field(default=None, description="One entry per invalid field (422).")


# ── Reading a request ───────────────────────────────────────────────────────────────────────────────────


class Invalid(Exception):
    """Fields that do not validate (422), with pydantic's readable reasons."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(describe_errors(error))
        self.error = error


def require_json(content_type: str | None) -> None:
    media_type, *params = (part.strip().lower() for part in (content_type or "").split(";"))
    if media_type != "application/json":
        raise Refused(415, "send the body as JSON, with `Content-Type: application/json`")
    charsets = {p.removeprefix("charset=").strip('"') for p in params if p.startswith("charset=")}
    if charsets - {"utf-8", "utf8"}:
        raise Refused(415, "JSON must be sent as UTF-8")


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise Refused(400, f"the body is not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise Refused(
            400, f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except (ValueError, RecursionError):  # a number too long to read, or nesting too deep
        raise Refused(
            400, "the body is JSON this API cannot read (a number too long or nesting too deep)"
        ) from None


Model = TypeVar("Model", bound=BaseModel)


def validate(model: type[Model], data: Any) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(exc) from None


# ── Answers ─────────────────────────────────────────────────────────────────────────────────────────────


def problem(status: int, detail: str, *, errors: list[FieldProblem] | None = None) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="cellule"'} if status == 401 else None
    body = Problem(detail=detail, errors=errors).model_dump(exclude_none=True)
    return JSONResponse(body, status_code=status, headers=headers)


def invalid(error: ValidationError) -> JSONResponse:
    errors = [
        FieldProblem(loc=list(e["loc"]), msg=e["msg"].removeprefix("Value error, ")) for e in error.errors()
    ]
    return problem(422, describe_errors(error), errors=errors)


def _outcome(reported: Reported) -> SignalOutcome:
    return SignalOutcome(
        signal_id=reported.signal_id,
        new_signal=reported.new_signal,
        incident_ref=reported.incident_ref,
        opened=reported.opened,
    )


def _responses(ok: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    refused = {"model": Problem}
    return {
        201: {"model": ok, "description": "Stored; an incident was opened or grown."},
        200: {"model": ok, "description": "Every signal had already been reported: nothing changed."},
        400: {**refused, "description": "The body is not UTF-8 JSON, or Content-Length is not a number."},
        401: {**refused, "description": "No credentials, or wrong ones, or a stale signature."},
        409: {
            **refused,
            "description": "No crisis kit is loaded, or this signed request was already received.",
        },
        413: {**refused, "description": "The body is too large."},
        415: {**refused, "description": "The body is not `application/json`."},
        422: {**refused, "description": "Some fields are invalid; `errors` says which and why."},
        503: {**refused, "description": "No token nor signing secret is configured, or the store is down."},
    }


def _request_body(model: type[BaseModel], example: dict[str, Any]) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema, "example": example}},
        }
    }


EXAMPLE = {
    "target": "Hôtel des Lilas",
    "platform": "google",
    "external_id": "g-1842",
    "rating": 1,
    "text": "Punaises de lit partout, personnel odieux.",
}
REQUEST_MODELS: list[type[BaseModel]] = [SignalReportV1, SignalBatch]  # app.py puts them in the schema
SECURITY = [{"bearerToken": []}, {"signature": [], "signatureTimestamp": []}]
SECURITY_SCHEMES = {
    "bearerToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "One of the tokens in CELLULE_API_TOKENS.",
    },
    "signature": {
        "type": "apiKey",
        "in": "header",
        "name": SIGNATURE_HEADER,
        "description": (
            "`sha256=` + the hex HMAC-SHA256 of `{timestamp}.{raw body}` with CELLULE_API_SIGNING_SECRET."
        ),
    },
    "signatureTimestamp": {
        "type": "apiKey",
        "in": "header",
        "name": TIMESTAMP_HEADER,
        "description": "Unix seconds when the request was signed; refused more than 5 minutes away.",
    },
}


# ── The routes ──────────────────────────────────────────────────────────────────────────────────────────


def intake_router(*, runtime: Runtime, credentials: ApiCredentials, on_reported: OnReported) -> APIRouter:
    """`/api/v1/signals` and `/api/v1/signals/batch`. `on_reported` gets the outcomes with a new signal."""
    router = APIRouter(prefix="/api/v1", tags=["signals"])

    def store(reports: list[SignalReport], caller: Caller) -> list[Reported]:
        def receipt(session: Session) -> None:
            if caller.replay_key is not None:
                record_once(
                    session,
                    key=caller.replay_key,
                    source="api",
                    outcome=f"{len(reports)} signal(s) reported",
                    at=runtime.now(),
                )

        return report_attacks(runtime, reports, source="api", receipt=receipt)

    async def accept(
        request: Request,
        background: BackgroundTasks,
        *,
        limit: int,
        reports_from: Callable[[Any], list[SignalReport]],
    ) -> list[Reported] | JSONResponse:
        try:
            require_configured(credentials)  # before reading anything
            body = await read_body(request, limit)
            caller = authenticate(credentials, request.headers, body, now=time.time())
            require_json(request.headers.get("content-type"))
            reports = reports_from(parse_json(body))
            outcomes = await run_in_threadpool(store, reports, caller)
        except Refused as refused:
            log.info("intake refused (%s): %s", refused.status, refused.reason)
            return problem(refused.status, refused.reason)
        except Invalid as exc:
            return invalid(exc.error)
        except NoKit as exc:
            return problem(409, f"{exc} {KIT_HINT} Nothing was stored.")
        except KitError:
            return problem(
                409, "The stored crisis kit no longer validates: load it again. Nothing was stored."
            )
        fresh = [o for o in outcomes if o.new_signal]
        if fresh:
            background.add_task(on_reported, fresh)
        return outcomes

    @router.post(
        "/signals",
        summary="Report one attack",
        description=(
            "Store one signal, then join it to the open incident about the same target or open one. "
            "The crisis cell is alerted in the background. Sending the same review or post again "
            "(same platform and `external_id`, else same `url`, else same author and text) changes nothing."
        ),
        status_code=201,
        response_model=None,
        responses=_responses(SignalOutcome),
        openapi_extra={**_request_body(SignalReportV1, EXAMPLE), "security": SECURITY},
    )
    async def post_signal(request: Request, background: BackgroundTasks) -> JSONResponse:
        def one(data: Any) -> list[SignalReport]:
            return [validate(SignalReportV1, data)]

        result = await accept(request, background, limit=MAX_SIGNAL_BYTES, reports_from=one)
        if isinstance(result, JSONResponse):
            return result
        [outcome] = result
        return JSONResponse(_outcome(outcome).model_dump(), status_code=201 if outcome.new_signal else 200)

    @router.post(
        "/signals/batch",
        summary="Report several attacks at once",
        description=(
            f'Up to {MAX_BATCH_SIGNALS} signals in `{{"signals": [...]}}`, at most '
            f"{MAX_BATCH_BYTES // 1_000_000} MB. One invalid signal refuses the whole batch (nothing is "
            "stored); otherwise every signal is stored before any is triaged."
        ),
        status_code=201,
        response_model=None,
        responses=_responses(BatchOutcome),
        openapi_extra={**_request_body(SignalBatch, {"signals": [EXAMPLE]}), "security": SECURITY},
    )
    async def post_batch(request: Request, background: BackgroundTasks) -> JSONResponse:
        def many(data: Any) -> list[SignalReport]:
            return list(validate(SignalBatch, data).signals)

        result = await accept(request, background, limit=MAX_BATCH_BYTES, reports_from=many)
        if isinstance(result, JSONResponse):
            return result
        body = BatchOutcome(signals=[_outcome(o) for o in result])
        return JSONResponse(body.model_dump(), status_code=201 if any(o.new_signal for o in result) else 200)

    return router
