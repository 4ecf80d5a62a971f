"""What the intake benchmarks share: the real app (and a bare one) on uvicorn on loopback, and the floors.

Everything over HTTP goes through a real socket on 127.0.0.1 to uvicorn serving the ASGI app in a thread of
this process, with httpx as the client. The floors are measured in the same run, on the same store kind:
- a Core insert of the same signal rows (no HTTP, no validation, no dedup, no triage);
- a bare endpoint on the same server stack that inserts one signal row per request.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from _harness import TOKEN, Row
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from models import Signal, Target, transaction


@contextlib.contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 (a free port) in a thread; its base URL until the block ends."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def intake_app(sessions: sessionmaker[Session], *, channels: dict, on_reported: Callable) -> FastAPI:
    """Cellule's own app on this store, accepting the bench's bearer token."""
    from cellule.web import create_app
    from cellule.web.auth import ApiCredentials
    from flows.runtime import Runtime

    return create_app(
        runtime=Runtime(sessions=sessions, channels=channels),
        slack_signing_secret=None,
        after_answer=lambda _incident_id: None,
        on_reported=on_reported,
        api_credentials=ApiCredentials(tokens=(TOKEN,)),
    )


def client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=600)


def bare_app(sessions: sessionmaker[Session]) -> FastAPI:
    """The floor of one signal per request: read the JSON, insert one signal row, answer its id."""
    app = FastAPI()
    target_id = floor_target(sessions)

    @app.post("/bare")
    async def bare(request: Request) -> JSONResponse:
        report = await request.json()

        def store() -> int:
            with transaction(sessions) as session:
                row = signal_rows([report], target_id=target_id, at=datetime.now(UTC))
                return session.execute(insert(Signal).returning(Signal.id), row).scalar_one()

        return JSONResponse({"signal_id": await run_in_threadpool(store)}, status_code=201)

    return app


def floor_target(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        found = session.scalar(select(Target.id).where(Target.key == "floor"))
        if found is not None:
            return found
        target = Target(key="floor", name="Floor")
        session.add(target)
        session.flush()
        return target.id


def signal_rows(reports: Sequence[dict], *, target_id: int, at: datetime) -> list[dict[str, Any]]:
    """The signal rows the reports become, as a plain insert would write them."""
    return [
        {
            "dedup_key": hashlib.sha256(f"floor|{r['platform']}|{r['external_id']}".encode()).hexdigest(),
            "target_id": target_id,
            "source": "api",
            "platform": r["platform"],
            "external_id": r["external_id"],
            "rating": r.get("rating"),
            "text": r["text"],
            "observed_at": at,
            "received_at": at,
            "is_drill": False,
        }
        for r in reports
    ]


def core_insert(sessions: sessionmaker[Session], reports: Sequence[dict], *, per_transaction: int) -> float:
    """Seconds to insert the reports' signal rows with SQLAlchemy Core, `per_transaction` rows a commit."""
    target_id = floor_target(sessions)
    rows = signal_rows(reports, target_id=target_id, at=datetime.now(UTC))
    engine = sessions.kw["bind"]
    start = time.perf_counter()
    for i in range(0, len(rows), per_transaction):
        with engine.begin() as conn:
            conn.execute(insert(Signal), rows[i : i + per_transaction])
    return time.perf_counter() - start


def post_batches(http: httpx.Client, reports: Sequence[dict], *, batch: int) -> tuple[float, int]:
    """Seconds to post the reports in batches (each answered before the next), and how many were 201."""
    created = 0
    start = time.perf_counter()
    for i in range(0, len(reports), batch):
        response = http.post("/api/v1/signals/batch", json={"signals": list(reports[i : i + batch])})
        if response.status_code not in (200, 201):
            raise RuntimeError(f"batch {i // batch}: {response.status_code} {response.text[:300]}")
        created += response.status_code == 201
    return time.perf_counter() - start, created


def post_each(http: httpx.Client, path: str, reports: Sequence[dict]) -> float:
    """Seconds to post the reports one per request, each answered before the next."""
    start = time.perf_counter()
    for report in reports:
        response = http.post(path, json=report)
        if response.status_code != 201:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    return time.perf_counter() - start


def print_rows(rows: Sequence[Row]) -> None:
    """The rows as `measure | value | floor | ratio | goal | ✓/✗` (make bench prints them in its table)."""
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}"
        met = {True: "✓", False: "✗", None: "—"}[row.met]
        print(" | ".join((row.measure, row.value, row.floor, ratio, row.goal, met)), flush=True)


def postgres_available() -> str | None:
    """None when the loopback PostgreSQL answers; otherwise why not."""
    from _harness import POSTGRES_ADMIN_URL
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: not measured, and why
        return f"PostgreSQL at 127.0.0.1:5432 did not answer ({type(exc).__name__})"
    finally:
        engine.dispose()
    return None
