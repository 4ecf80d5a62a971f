"""Opening Cellule's store from settings, and bringing its schema up to date with Alembic.

Alembic is imported only to migrate: importing it costs a command more than its whole work (measured
0.4–0.8 s), so checking that a store is up to date reads the migration files' own `revision` lines first.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_REVISION = re.compile(r'^(down_revision|revision)\b[^=]*=\s*"([^"]+)"', re.MULTILINE)


def alembic_config(database_url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    # ConfigParser interpolates '%': escape it so passwords with '%' survive.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision` (idempotent: an up-to-date store is left as it is)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


@cache
def written_head() -> str | None:
    """The head revision as the migration files state it, without Alembic: the one no file revises.
    None when that is not one revision (branches, an unusual file): then only Alembic can say."""
    revisions, revised = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if name == "revision" else revised).add(value)
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The revision the store says it is at (None: not migrated, or unreadable)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def open_store(database_url: str) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(database_url))
