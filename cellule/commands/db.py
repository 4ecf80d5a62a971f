"""`cellule db upgrade`: the only way the schema changes (Alembic)."""

from __future__ import annotations

from cellule.commands.common import Commands, console
from cellule.settings import get_settings
from cellule.store import upgrade_database

db_app = Commands(help="Cellule's relational store.", no_args_is_help=True)


@db_app.command()
def upgrade() -> None:
    """Create the store if needed and apply every pending migration (safe to run again)."""
    url = get_settings().resolved_database_url
    upgrade_database(url)
    console.print(f"[green]✓[/] Store up to date: {_safe(url)}")


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
