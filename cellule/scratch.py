"""Throwaway stores for simulated drills: each run plays in an empty SQLite store, never in the real one.

Migrating costs about a second, so the schema is built once per command, kept in memory, and copied
for every run with SQLite's backup API (a fraction of a millisecond). A run's store is itself an
in-memory database: nothing reaches the disk, and its engine is kept for the next run, so SQLAlchemy's
compiled statements are reused rather than compiled again for every run.
"""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from cellule.store import upgrade_database
from flows.drill.series import FreshStore
from models import make_engine, make_sessionmaker


@dataclass(frozen=True)
class _MemoryStore:
    """A named in-memory database: `anchor` keeps it alive (and receives each copy), `sessions` reach it
    through the store's usual engine (its pragmas and BEGIN IMMEDIATE included)."""

    anchor: sqlite3.Connection
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls) -> _MemoryStore:
        # SQLite's memdb VFS: one database in memory that every connection of this process opening the
        # name shares, with the usual locking (unlike a shared-cache database).
        uri = f"file:/cellule-drill-{uuid.uuid4().hex}?vfs=memdb"

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)

        anchor = connect()
        return cls(anchor, make_sessionmaker(make_engine("sqlite://", creator=connect)))

    def close(self) -> None:
        self.sessions.kw["bind"].dispose()
        self.anchor.close()


@contextmanager
def scratch_stores() -> Iterator[FreshStore]:
    """Yield a maker of fresh, migrated, empty stores; each is emptied again for the next run."""
    template = sqlite3.connect(":memory:", check_same_thread=False)
    with tempfile.TemporaryDirectory(prefix="cellule-drill-") as folder:
        migrated = Path(folder) / "template.db"
        upgrade_database(f"sqlite:///{migrated}")
        with closing(sqlite3.connect(migrated)) as source:
            source.execute("PRAGMA journal_mode=DELETE")  # a copy marked WAL opens on no in-memory VFS
            source.backup(template)
    idle: list[_MemoryStore] = []  # stores between runs (more than one only if runs overlap)
    opened: list[_MemoryStore] = []

    @contextmanager
    def fresh() -> Iterator[sessionmaker[Session]]:
        store = idle.pop() if idle else _MemoryStore.open()
        if store not in opened:
            opened.append(store)
        # The engine's pooled connections are idle here: the copy replaces every table at once.
        store.sessions.kw["bind"].dispose()
        template.backup(store.anchor)
        try:
            yield store.sessions
        finally:
            idle.append(store)

    try:
        yield fresh
    finally:
        for store in opened:
            store.close()
        template.close()
