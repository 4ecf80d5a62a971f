"""Engines and sessions. One transaction per user action: callers use `transaction()`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool


def make_engine(
    url: str, *, echo: bool = False, creator: Callable[[], sqlite3.Connection] | None = None
) -> Engine:
    """Create an engine for SQLite (the embedded default) or PostgreSQL (production). `creator` opens
    each SQLite connection itself (`url` is then `sqlite://`): the drills' in-memory stores."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if creator is not None:
            engine = create_engine(url, echo=echo, creator=creator, poolclass=QueuePool)
        else:
            engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _make_sqlite_serializable(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _make_sqlite_serializable(engine: Engine) -> None:
    """Take SQLite's write lock when a transaction begins (BEGIN IMMEDIATE).

    With pysqlite's default deferred BEGIN, two writers can both read "no open incident" and both insert one.
    Taking the lock up front serialises them, which is what row locks do for us on PostgreSQL.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # let us emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit if the block succeeds, roll everything back if it raises."""
    with sessions() as session, session.begin():
        yield session
