"""Throwaway stores for simulated drills: each run plays in an empty SQLite file, never in the real store.

Migrating costs about a second, so the schema is built once per command and copied for every run.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from cellule.store import open_store, upgrade_database
from flows.drill.series import FreshStore


@contextmanager
def scratch_stores() -> Iterator[FreshStore]:
    """Yield a maker of fresh, migrated, empty stores, each removed when its block ends."""
    with tempfile.TemporaryDirectory(prefix="cellule-drill-") as folder:
        template = Path(folder) / "template.db"
        upgrade_database(f"sqlite:///{template}")
        numbers = count(1)

        @contextmanager
        def fresh() -> Iterator[sessionmaker[Session]]:
            path = Path(folder) / f"run-{next(numbers)}.db"
            shutil.copyfile(template, path)
            sessions = open_store(f"sqlite:///{path}")
            try:
                yield sessions
            finally:
                sessions.kw["bind"].dispose()
                for leftover in Path(folder).glob(f"{path.name}*"):  # the file and its WAL
                    leftover.unlink()

        yield fresh
