"""Bulk inserts that skip what another worker stored meanwhile, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, Table, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def insert_ignoring_conflicts(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    unique: list[str],
    returning: list[ColumnElement[Any]],
) -> list[Row[Any]]:
    """Insert the rows (all with the same keys) in one statement, skipping those that would break the
    unique constraint on `unique`; the `returning` columns of the rows inserted.

    On PostgreSQL the rows go as one array per column (`INSERT … SELECT FROM unnest(…)`): a multi-row
    `VALUES` of hundreds of rows is a statement psycopg parses anew, in Python, every time.
    """
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql":
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=unique).returning(*returning)
        return list(session.execute(statement, rows))
    columns = list(rows[0])
    arrays = [
        cast(
            func.unnest(bindparam(f"all_{name}", [r[name] for r in rows], type_=ARRAY(table.c[name].type))),
            table.c[name].type,
        ).label(name)
        for name in columns
    ]
    statement = (
        postgresql.insert(table)
        .from_select(columns, select(*arrays))
        .on_conflict_do_nothing(index_elements=unique)
        .returning(*returning)
    )
    return list(session.execute(statement))
