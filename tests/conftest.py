"""Shared fixtures: a migrated store on SQLite and on PostgreSQL, named scenarios, Prefect's test server.

Store tests take `sessions` and run once per database. PostgreSQL is required when CI=true; on a developer
machine without it those runs are skipped with a reason. The hotel and its cell (`hotel`,
`defamatory_review_at_hotel`, `runtime`…) come from tests/scenarios/hotel.py.

A test that runs a Prefect flow or task (itself, or through a command or an HTTP door that runs the
protocol in-process) requests the `prefect_server` fixture, and is marked `flow` for it: so
`pytest -m "not flow"` is the fast, pure-logic subset. A test that runs a flow without requesting it fails.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cellule.prefect_env import configure_prefect_environment

# Before any test module imports Prefect: a throw-away PREFECT_HOME and the embedded defaults.
configure_prefect_environment(Path(tempfile.mkdtemp(prefix="cellule-tests-")))

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402
from typer.testing import CliRunner, Result  # noqa: E402

from cellule.store import alembic_config as cellule_alembic_config  # noqa: E402
from cellule.store import upgrade_database  # noqa: E402
from models import Base, make_engine, make_sessionmaker  # noqa: E402

pytest_plugins = ["tests.fakes.slack", "tests.scenarios.hotel"]

POSTGRES_ADMIN_URL = os.environ.get(
    "CELLULE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("store") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def cellule_cli(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Result]]:
    """Run `cellule …` in-process on the SQLite store `sqlite_url`: console only, Paris time, wide tables."""
    from cellule.commands import app
    from cellule.settings import get_settings

    for variable in ("CELLULE_SLACK_BOT_TOKEN", "CELLULE_SMTP_HOST", "CELLULE_GOOGLE_BUSINESS_ACCESS_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CELLULE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CELLULE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CELLULE_TIMEZONE", "Europe/Paris")
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line; the consoles read it, nothing stays pinned
    get_settings.cache_clear()  # settings are cached per process; these tests change them
    runner = CliRunner()
    yield lambda *args, **options: runner.invoke(app, list(args), **options)
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's headless Chromium (`.ci/run` installs it): skipped without it locally, a failure in CI."""
    found = shutil.which("chromium") or shutil.which("chromium-headless-shell")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: apt-get install chromium chromium-driver")
        pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")
    return found


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for every test that runs flows (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    from cellule.prefect_env import quiet_flow_runs

    with prefect_test_harness(server_startup_timeout=60), quiet_flow_runs():
        yield


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the Prefect test server is a `flow` test."""
    for item in items:
        if "prefect_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.flow)


def _running_prefect_servers() -> set[int]:
    """The Prefect API servers this process started and still runs (ephemeral, or the test harness's)."""
    server = sys.modules.get("prefect.server.api.server")  # never imported: none was started
    if server is None:
        return set()
    return {id(s) for s in server.SubprocessASGIServer._instances.values() if s.running}


@pytest.fixture(autouse=True)
def _prefect_only_in_flow_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A test not marked `flow` may neither run a flow or a task nor start a Prefect server: it would
    silently make the fast subset slow (a server costs seconds to start, a flow run about one)."""
    if request.node.get_closest_marker("flow") is not None:
        yield
        return
    import prefect.flow_engine
    import prefect.task_engine

    ran: list[str] = []

    def refuse(*args: object, flow: object = None, task: object = None, **kwargs: object) -> None:
        ran.append(f"{'flow' if flow else 'task'} {getattr(flow or task, 'name', '?')!r}")
        raise RuntimeError("a test that runs Prefect flows must request the `prefect_server` fixture")

    monkeypatch.setattr(prefect.flow_engine, "run_flow", refuse)
    monkeypatch.setattr(prefect.task_engine, "run_task", refuse)
    servers = _running_prefect_servers()
    yield
    if ran or _running_prefect_servers() - servers:
        pytest.fail(
            f"{request.node.nodeid} runs Prefect ({', '.join(ran) or 'a server was started'}) but does not "
            "request the `prefect_server` fixture: request it (the test is then marked `flow`)",
            pytrace=False,
        )


@contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """An empty PostgreSQL database, dropped afterwards; skipped (failed in CI) when PostgreSQL is down."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cellule_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL means the same here
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable ({exc.__class__.__name__}); set CELLULE_TEST_POSTGRES_URL")
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this test session, migrated once."""
    with throwaway_postgres_database() as url:
        upgrade_database(url)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A migrated, empty store: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "cellule.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template: str) -> str:  # type: ignore[no-untyped-def]
    """A migrated, empty SQLite store, for tests whose subject is not the database."""
    path = tmp_path / "cellule.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


# pytest-alembic fixtures: tests/test_migrations.py runs its checks on both databases.
@pytest.fixture
def alembic_config():  # type: ignore[no-untyped-def]
    return cellule_alembic_config("sqlite://")


@pytest.fixture(params=["sqlite", "postgresql"])
def alembic_engine(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'alembic.db'}")
        yield engine
        engine.dispose()
        return
    with throwaway_postgres_database() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()
