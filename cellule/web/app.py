"""The ASGI app. Built around one runtime, so every request acts through the same store and channels.

Front doors on one app: the intake API (`/api/v1`, described at `/api/v1/openapi.json`), Slack's buttons
(`/slack/interactivity`) and slash command (`/slack/commands`), and `/healthz` and `/readyz`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic.json_schema import models_json_schema
from sqlalchemy.exc import DataError, OperationalError

from cellule.reporting import Reported
from cellule.web.auth import ApiCredentials
from cellule.web.health import health_router
from cellule.web.intake import REQUEST_MODELS, SECURITY_SCHEMES, intake_router, problem
from cellule.web.slack import slack_router
from cellule.web.slash import slash_router
from flows.runtime import Runtime

log = logging.getLogger(__name__)

DESCRIPTION = """\
Report reputation attacks — defamatory reviews, review bombing, rumours — to Cellule. Each accepted signal
is stored first, then joins the open incident about the same target or opens one, and the crisis cell is
alerted in the background.

**Authentication**, on every request, either:
- `Authorization: Bearer <token>`, a token from `CELLULE_API_TOKENS`; or
- `X-Cellule-Timestamp: <unix seconds>` and `X-Cellule-Signature: sha256=<hex>`, the HMAC-SHA256 of
  `{timestamp}.{raw body}` with `CELLULE_API_SIGNING_SECRET`; refused more than 5 minutes away, and a
  signed request is accepted once.

Every refusal is a 4xx with `{"detail": "<reason>"}` and stores nothing. Reporting the same review or post
again is harmless: the answer is 200 with the same incident and `new_signal: false`.
"""


def create_app(
    *,
    runtime: Runtime,
    slack_signing_secret: str | None,
    after_answer: Callable[[int], None],
    on_reported: Callable[[list[Reported]], None],
    api_credentials: ApiCredentials,
) -> FastAPI:
    """The app on `runtime`. Callbacks run in the background, after the answer is sent:

    - `after_answer(incident_id)` once a Slack button changed an incident (the protocol's follow-ups);
    - `on_reported(outcomes)` with the outcomes of a report that brought new signals (start the protocol).
    """
    app = FastAPI(
        title="Cellule intake API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(intake_router(runtime=runtime, credentials=api_credentials, on_reported=on_reported))
    app.include_router(health_router(runtime=runtime))
    app.include_router(
        slack_router(runtime=runtime, signing_secret=slack_signing_secret, after_answer=after_answer),
        include_in_schema=False,
    )
    app.include_router(
        slash_router(runtime=runtime, signing_secret=slack_signing_secret, on_reported=on_reported),
        include_in_schema=False,
    )

    @app.exception_handler(OperationalError)
    async def store_unavailable(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("the store did not answer", exc_info=exc)
        response = problem(503, "the store is unavailable; nothing was stored, retry later")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(DataError)
    async def does_not_fit(_: Request, exc: DataError) -> JSONResponse:
        # A value the validation let through but the database cannot hold: the client's to fix, not ours.
        log.warning("a reported value does not fit the store", exc_info=exc)
        return problem(422, "a value is too long or out of range for the store; nothing was stored")

    app.openapi = _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """FastAPI's schema, plus the request bodies (read by hand, to check credentials first) and auth."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            _, definitions = models_json_schema(
                [(model, "validation") for model in REQUEST_MODELS],
                ref_template="#/components/schemas/{model}",
            )
            components = schema.setdefault("components", {})
            components.setdefault("schemas", {}).update(definitions["$defs"])
            components["securitySchemes"] = SECURITY_SCHEMES
            app.openapi_schema = schema
        return app.openapi_schema

    return build
