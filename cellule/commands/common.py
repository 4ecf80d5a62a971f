"""What every command shares: the consoles, opening the store, and failing clearly."""

from __future__ import annotations

from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.console import Console

from cellule.engine import build_runtime
from cellule.settings import get_settings
from cellule.store import alembic_config, upgrade_database
from flows.runtime import Runtime

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # errors stay whole, for copy and paste


def fail(message: str, *, code: int = 1, hint: str | None = None) -> NoReturn:
    """Say what went wrong (and what to do) on stderr, and exit non-zero. Nothing is half-written."""
    err_console.print(f"[bold red]✗[/] {message}", markup=True)
    if hint:
        err_console.print(f"  [dim]{hint}[/]")
    raise typer.Exit(code)


def ensure_schema(runtime: Runtime, url: str) -> None:
    """Bring the embedded SQLite store up to date on its own; ask for a deliberate upgrade elsewhere."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with runtime.sessions.kw["bind"].connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return
    if url.startswith("sqlite"):
        upgrade_database(url)
        return
    fail(
        f"The database is at revision {current or 'none'}, Cellule needs {head}.",
        hint="Run `cellule db upgrade` (back the database up first).",
    )


def open_runtime() -> Runtime:
    """The live runtime for a command, with the store's schema checked first."""
    settings = get_settings()
    runtime = build_runtime(settings)
    ensure_schema(runtime, settings.resolved_database_url)
    return runtime


def reader_zone(name: str | None) -> ZoneInfo:
    """The reader's time zone: the option, else CELLULE_TIMEZONE."""
    zone = name or get_settings().timezone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"Unknown time zone {zone!r}.", hint="Use a name such as Europe/Paris or America/Montreal.")
