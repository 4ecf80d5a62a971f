"""What the benchmarks share: a fresh store (SQLite or PostgreSQL) with the hotel kit, and the HTTP app.

Benchmarks print their figures and their ratio to a floor measured in the same run; they never assert.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from cellule.prefect_env import configure_prefect_environment  # noqa: E402

configure_prefect_environment(Path(tempfile.mkdtemp(prefix="cellule-bench-")))
logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the fake Slack's request log is noise here

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from cellule.store import open_store, upgrade_database  # noqa: E402
from flows.kit.loading import example_kit_path, load_kit, read_kit  # noqa: E402
from models import transaction  # noqa: E402

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TOKEN = "bench-token-0123456789abcdef"


@contextlib.contextmanager
def fresh_store(kind: str) -> Iterator[str]:
    """A migrated store with the hotel kit loaded: a temporary SQLite file, or a throw-away PostgreSQL db."""
    if kind == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='cellule-bench-')}/bench.db"
        _prepare(url)
        yield url
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cellule_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        _prepare(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _prepare(url: str) -> None:
    upgrade_database(url)
    sessions = open_store(url)
    path = example_kit_path("hotel")
    with transaction(sessions) as session:
        load_kit(session, kit=read_kit(path), source=str(path), sha256="0" * 64)
    sessions.kw["bind"].dispose()


def app_client(sessions: sessionmaker[Session], *, channels: dict, on_reported: Callable) -> object:
    """The real ASGI app in-process (no network hop to measure), authenticated with a bearer token."""
    from fastapi.testclient import TestClient

    from cellule.web import create_app
    from cellule.web.auth import ApiCredentials
    from flows.runtime import Runtime

    runtime = Runtime(sessions=sessions, channels=channels)
    app = create_app(
        runtime=runtime,
        slack_signing_secret=None,
        after_answer=lambda _incident_id: None,
        on_reported=on_reported,
        api_credentials=ApiCredentials(tokens=(TOKEN,)),
    )
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {TOKEN}"
    return client


def review(n: int, *, target: str = "Hôtel des Lilas", minute: int | None = None) -> dict:
    signal = {
        "target": target,
        "platform": "google",
        "external_id": f"bench-{n}",
        "rating": 1 + n % 5,
        "text": f"Avis numéro {n} : séjour décevant.",
    }
    if minute is not None:
        signal["observed_at"] = f"2026-11-26T08:{minute % 60:02d}:{n % 60:02d}+00:00"
    return signal


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
