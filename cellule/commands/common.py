"""What every command shares: the consoles, opening the store, failing clearly, and following up an act.

Every command group is a `Commands` app: a `Refusal` raised anywhere under a command is answered once,
here — its message, the CLI's own hint for its kind, exit code 2 — and nothing was changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.markup import escape

from cellule.engine import FollowUps, build_runtime
from cellule.engine import follow_up as run_follow_ups
from cellule.settings import get_settings
from cellule.store import alembic_config, stored_revision, upgrade_database, written_head
from flows.refusals import Refusal
from flows.runtime import Runtime

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)  # errors stay whole, for copy and paste


def fail(message: str, *, code: int = 1, hint: str | None = None) -> NoReturn:
    """Say what went wrong (and what to do) on stderr, and exit non-zero. Nothing is half-written."""
    err_console.print(f"[bold red]✗[/] {message}", markup=True)
    if hint:
        err_console.print(f"  [dim]{hint}[/]")
    raise typer.Exit(code)


# The command a person types next, by refusal kind; `{ref}`, `{label}` come from the refusal's details.
HINTS = {
    "no_incident": "`cellule incidents --all --drills` lists them.",
    "no_person": "`cellule kit show` lists them.",
    "no_draft": "`cellule drafts {ref}` lists them.",
    "no_kit": "Load one first: `cellule kit load hotel` (or your own kit file).",
    "no_commitment": "`cellule commitments {ref}` lists them.",
    "commitments_first": "`cellule commit {ref} --text … --owner … --due …` records one.",
    "no_branch_yet": "`cellule exit {ref} --branch already_handled|not_handled` chooses it.",
    "review_reply": "`cellule review reply` publishes it.",
    "already_published": "`cellule show {ref}` says where.",
    "not_approved": "`cellule drafts {ref} {label}` says what it still needs.",
    "contact_first": "Record it: `cellule review contacted …`, or --precondition-met-at.",
    "reply_drafted": "`cellule edit <REF> {label} --file …` changes its words.",
    "no_reply_draft": "`cellule review reply …` drafts one.",
    "no_customers": "`cellule review customers import FILE.csv` imports one.",
    "live_drill_running": "Stop it first: `cellule drill stop`.",
}


def hint_for(refusal: Refusal) -> str | None:
    """The CLI's hint for a refusal: what to type next, or None."""
    hint = HINTS.get(refusal.kind)
    return hint.format_map(refusal.details) if hint else None


def refuse(
    refusal: Refusal, *, lead: str | None = None, then: str | None = "Nothing was changed."
) -> NoReturn:
    """Answer a refusal: its message (after `lead`), what it left unchanged, the hint; exit code 2."""
    lines = [lead, escape(str(refusal)), then]
    fail("\n".join(line for line in lines if line), code=2, hint=hint_for(refusal))


Command = TypeVar("Command", bound=Callable[..., Any])


def answering_refusals(command: Command) -> Command:
    """The command, with any `Refusal` under it answered by `refuse`."""

    @functools.wraps(command)
    def answered(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except Refusal as refusal:
            refuse(refusal)

    return answered  # type: ignore[return-value]


class Commands(typer.Typer):
    """A Typer app whose every command answers refusals the same way (`answering_refusals`)."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Command], Command]:
        register = super().command(*args, **kwargs)

        def decorator(command: Command) -> Command:
            register(answering_refusals(command))
            return command

        return decorator


def ensure_schema(runtime: Runtime, url: str) -> None:
    """Bring the embedded SQLite store up to date on its own; ask for a deliberate upgrade elsewhere."""
    current = stored_revision(runtime.sessions.kw["bind"])
    if current is not None and current == written_head():
        return  # up to date, and Alembic not even imported
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

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


def follow_up(
    runtime: Runtime,
    incident_ids: Iterable[int],
    *,
    doing: str = "Alerting the crisis cell…",
    protocol: bool = True,
) -> FollowUps:
    """After an act's confirmation is printed: run its follow-ups (or leave them to the live runner) and
    say in one line what did not happen. The act is committed whatever this says."""
    with console.status(doing):
        done = run_follow_ups(runtime, incident_ids, data_dir=get_settings().data_dir, protocol=protocol)
    retry = "`cellule watch` (or `cellule tick`) will retry"
    if done.runner is not None:
        console.print(f"[dim]→ Follow-ups go to the running {done.runner.describe()}.[/]")
    elif done.failed is not None:
        where = f" Details: {done.log}" if done.log else ""
        why = escape(done.failed)
        err_console.print(
            f"[yellow]![/] Recorded. The cell could not be alerted yet: {why} — {retry}.{where}"
        )
    elif done.undelivered:
        reason = f": {escape(done.last_error)}" if done.last_error else ""
        err_console.print(
            f"[yellow]![/] Recorded. {done.undelivered} message(s) could not be sent yet{reason} — {retry}."
        )
    return done


def reader_zone(name: str | None) -> ZoneInfo:
    """The reader's time zone: the option, else CELLULE_TIMEZONE."""
    zone = name or get_settings().timezone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"Unknown time zone {zone!r}.", hint="Use a name such as Europe/Paris or America/Montreal.")
