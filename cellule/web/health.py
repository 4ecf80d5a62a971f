"""Liveness and readiness, for whatever watches the service (a load balancer, Kubernetes, `cellule up`).

`/healthz` answers as long as the process serves requests. `/readyz` answers 200 only when reporting an
attack would work: the database answers, its schema is at the migration head, and a crisis kit is loaded.
Otherwise 503, with every reason; database errors are logged here, never sent to the client.
"""

from __future__ import annotations

import logging

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from cellule.store import alembic_config
from flows.kit.loading import KitError, current_kit
from flows.runtime import Runtime

log = logging.getLogger(__name__)


class Health(BaseModel):
    status: str = Field(description='"ok"')


class Readiness(BaseModel):
    status: str = Field(description='"ready" or "not ready"')
    reasons: list[str] = Field(description="Why it is not ready (empty when ready).")


def readiness_problems(runtime: Runtime, heads: set[str]) -> list[str]:
    """Every reason the service cannot take a report now; empty when it can."""
    try:
        with runtime.sessions() as session:
            current = set(MigrationContext.configure(session.connection()).get_current_heads())
            if current != heads:
                found, wanted = ", ".join(sorted(current)) or "none", ", ".join(sorted(heads))
                return [f"the database schema is at {found}, not {wanted}: run `cellule db upgrade`"]
            try:
                kit = current_kit(session)
            except KitError:
                return ["the stored crisis kit no longer validates: load it again"]
            if kit is None:
                return ["no crisis kit is loaded: `cellule kit load <kit>`"]
    except SQLAlchemyError:
        log.warning("readiness: the database does not answer", exc_info=True)
        return ["the database does not answer"]
    return []


def health_router(*, runtime: Runtime) -> APIRouter:
    router = APIRouter(tags=["health"])
    heads = set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())

    @router.get("/healthz", summary="Is the process up?", response_model=Health)
    def healthz() -> Health:
        return Health(status="ok")

    @router.get(
        "/readyz",
        summary="Can it take reports now?",
        description="Database reachable, schema at the migration head, crisis kit loaded.",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "Not ready; `reasons` says why."}},
    )
    def readyz() -> JSONResponse:
        reasons = readiness_problems(runtime, heads)
        body = Readiness(status="not ready" if reasons else "ready", reasons=reasons)
        return JSONResponse(body.model_dump(), status_code=503 if reasons else 200)

    return router
