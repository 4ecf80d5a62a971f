"""What the benchmarks share: a fresh store (SQLite or PostgreSQL) with the hotel kit, the HTTP app, and
the `Row` every benchmark reports for `make bench`.

Benchmarks print their figures and their ratio to a floor measured in the same run; they never assert.

The contract `bench/run_all.py` (`make bench`) relies on — every module in bench/ that measures something:

    def rows(short: bool) -> list[Row]: ...

- `short=True` is `make bench`'s mode: a few runs, bounded, so that every benchmark together finishes in
  about 20 minutes on the 2-core machine. `short=False` is the module's full mode (what `main()` runs).
- One `Row` per measure of the goal table in issue 13 (or per figure worth a line): `value` and `floor`
  are the figures as a person reads them, with their unit ("0.41 s", "1,830 signals/s"); `ratio` is the
  number the goal is about (value / floor, or floor / value for a rate goal such as "≥ 0.25"); `goal`
  says it ("≤ 2×", "≥ 0.25"); `met` is whether the ratio meets it. `Row.measured(...)` builds one from
  two numbers; `Row.not_measured(...)` says why a measure has no figure in this mode (never a fake one).
- rows() may print progress to stderr; stdout is the runner's. It must stop by itself, loopback only.
- The runner imports each module in its own interpreter, so a module may configure Prefect at import
  (this module does) and start servers; a module without rows(), or whose rows() raises, becomes a
  "not measured" row with the reason, and the other benchmarks still run.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """One line of `make bench`'s table: a measure, its floor from the same run, and its goal."""

    measure: str
    value: str
    floor: str
    ratio: float | None
    goal: str
    met: bool | None

    @classmethod
    def measured(
        cls,
        measure: str,
        value: float,
        floor: float,
        *,
        unit: str = "s",
        at_most: float | None = None,
        at_least: float | None = None,
        inverse: bool = False,
    ) -> Row:
        """A row from two figures in `unit`: ratio value / floor (floor / value with `inverse`, for rates
        where the goal reads "≥ x of the floor"), checked against `at_most` or `at_least`."""
        ratio = (floor / value if inverse else value / floor) if (value and floor) else float("inf")
        if at_most is not None:
            goal, met = f"≤ {at_most:g}×", ratio <= at_most
        elif at_least is not None:
            goal, met = f"≥ {at_least:g}", ratio >= at_least
        else:
            goal, met = "—", None
        return cls(measure, _figure(value, unit), _figure(floor, unit), ratio, goal, met)

    @classmethod
    def not_measured(cls, measure: str, why: str, *, goal: str = "—") -> Row:
        """A measure with no figure in this run, and why (full mode only, a missing service, a failure)."""
        return cls(measure, f"not measured: {why}", "—", None, goal, None)


def _figure(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


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


class RecordingSlack:
    """Just enough Slack Web API to be alerted through, on loopback, recording when each request arrived
    and its body. Wall-clock times (`time.time()`): the callers may be other processes."""

    METHODS = (
        "conversations.create",
        "conversations.invite",
        "conversations.open",
        "conversations.setTopic",
        "chat.postMessage",
    )

    def __init__(self) -> None:
        from pytest_httpserver import HTTPServer

        self.server = HTTPServer(host="127.0.0.1", port=0)
        self.arrivals: list[tuple[float, str]] = []
        self.server.expect_request("/api/conversations.list").respond_with_json({"ok": True, "channels": []})
        for method in self.METHODS:
            self.server.expect_request(f"/api/{method}").respond_with_handler(self._answer)
        self.server.start()

    def _answer(self, request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        self.arrivals.append((time.time(), request.get_data(as_text=True)))
        body = '{"ok": true, "channel": {"id": "C0ROOM"}, "ts": "1.0"}'
        return Response(body, content_type="application/json")

    @property
    def url(self) -> str:
        return self.server.url_for("/api/")

    def first_after(self, start: float, needle: str = "", *, wait: float = 120.0) -> float:
        """Seconds from `start` (a `time.time()`) to the first request whose body holds `needle`."""
        deadline = time.time() + wait
        while time.time() < deadline:
            for at, body in list(self.arrivals):
                if at >= start and needle in body:
                    return at - start
            time.sleep(0.01)
        raise TimeoutError(f"no Slack call with {needle!r} within {wait:.0f} s")
