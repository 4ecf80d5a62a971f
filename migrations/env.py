"""Alembic environment: the only way Cellule's schema changes (DESIGN.md principle 8)."""

from alembic import context
from sqlalchemy import Connection, Engine

from models import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")  # a Connection from our code, an Engine from pytest-alembic
    if isinstance(given, Connection):
        _run(given)
        return
    engine = given if isinstance(given, Engine) else make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)
    if given is None:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Cellule migrations run online only: use `cellule db upgrade`.")
run_migrations_online()
