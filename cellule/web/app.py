"""The ASGI app. Built around one runtime, so every request acts through the same store and channels."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from cellule.web.slack import slack_router
from flows.runtime import Runtime


def create_app(
    *, runtime: Runtime, slack_signing_secret: str | None, after_answer: Callable[[int], None]
) -> FastAPI:
    """`after_answer(incident_id)` runs once a request changed an incident (the protocol's follow-ups)."""
    app = FastAPI(title="Cellule", version="1", docs_url=None, redoc_url=None)
    app.include_router(
        slack_router(runtime=runtime, signing_secret=slack_signing_secret, after_answer=after_answer)
    )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
