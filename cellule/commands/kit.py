"""`cellule kit load` and `cellule kit show`: put a crisis kit in force, and see the one in force."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session, sessionmaker

from cellule.commands.common import Commands, console, err_console, fail, open_runtime, reader_zone
from flows.kit.loading import (
    KitError,
    current_kit,
    example_kit_names,
    example_kit_path,
    file_sha256,
    load_kit,
    read_kit,
)
from flows.kit.schema import Kit
from flows.kit.views import active_person_keys
from models import transaction

kit_app = Commands(
    help="The crisis kit: the people, the roster of the crisis cell, and a playbook per attack type.",
    no_args_is_help=True,
)


def kit_store() -> sessionmaker[Session]:
    """The store the settings name (CELLULE_DATABASE_URL), its schema checked first."""
    return open_runtime().sessions


@kit_app.command()
def load(
    file: Annotated[
        str,
        typer.Argument(
            help=f"A kit YAML file, or the name of an example kit ({', '.join(example_kit_names())}).",
            show_default=False,
        ),
    ],
) -> None:
    """Check a kit file and put it in force: people, roster and playbooks, all at once or not at all."""
    try:
        path = _kit_path(file)
        kit = read_kit(path)
    except KitError as exc:
        _print_problems(exc)
        fail("The kit was not loaded; the store is unchanged.", code=2)
    sha256 = file_sha256(path)
    with transaction(kit_store()) as session:
        before = active_person_keys(session)
        version = load_kit(session, kit=kit, source=str(path), sha256=sha256)
        version_id = version.id
    console.print(f"[green]✓[/] Kit [bold]{escape(kit.kit.name)}[/] loaded as version {version_id}.")
    _print_kit(kit)
    if gone := sorted(before - {p.key for p in kit.people}):
        console.print(f"No longer in the kit (kept in the history, never called): {', '.join(gone)}")


@kit_app.command()
def show() -> None:
    """Show the kit in force: its people, who holds each role, and the playbooks."""
    sessions = kit_store()
    try:
        with sessions() as session:
            found = current_kit(session)
    except KitError as exc:
        _print_problems(exc)
        fail("The stored kit no longer matches what Cellule expects: load it again.", code=2)
    if found is None:
        fail(
            "No crisis kit is loaded yet.", hint="Load one: `cellule kit load hotel` (or your own kit file)."
        )
    version, kit = found
    loaded = version.loaded_at.astimezone(reader_zone(None)).strftime("%Y-%m-%d %H:%M")
    console.print(f"Kit version {version.id}, loaded {loaded} from {escape(version.source)}")
    _print_kit(kit)


def _kit_path(argument: str) -> Path:
    """A file if there is one by that name; otherwise a bare name is an example kit."""
    path = Path(argument)
    if path.exists() or path.suffix or len(path.parts) > 1:
        return path
    return example_kit_path(argument)


def _print_problems(exc: KitError) -> None:
    for problem in exc.problems:
        # One line each, never wrapped: editors and terminals open FILE:LINE when it is whole.
        err_console.print(Text(str(problem), style="red"), soft_wrap=True)


def _print_kit(kit: Kit) -> None:
    names = {p.key: p.name for p in kit.people}
    owner = names.get(kit.kit.owner, kit.kit.owner)
    console.print(Text.assemble(("\n" + kit.kit.name, "bold"), f" — kept by {owner}, in {kit.kit.locale}"))
    console.print(_people_table(kit))
    console.print(_roster_table(kit, names))
    console.print(_playbooks_table(kit))


def _people_table(kit: Kit) -> Table:
    table = Table(title=f"People ({len(kit.people)})", title_justify="left")
    table.add_column("Person")
    table.add_column("Lang")
    table.add_column("Time zone")
    table.add_column("Email · Slack", overflow="fold")
    for p in kit.people:
        person = Text.assemble(p.name, "\n", (p.key, "dim"))
        contact = "\n".join(c for c in (p.email, p.slack_user_id) if c) or "—"
        table.add_row(person, Text(p.locale), Text(p.timezone), Text(contact))
    return table


def _roster_table(kit: Kit, names: dict[str, str]) -> Table:
    table = Table(title="Roster: who holds each role", title_justify="left")
    for column in ("Role", "Primary", "Backups, in order"):
        table.add_column(column)
    for role, keys in kit.roster.items():
        primary = names[keys[0]] if keys else "nobody"
        backups = ", ".join(names[k] for k in keys[1:]) or "none"
        table.add_row(Text(role), Text(primary), Text(backups, style="" if keys[1:] else "yellow"))
    return table


def _playbooks_table(kit: Kit) -> Table:
    table = Table(title="Playbooks: the cell called and how fast it must move", title_justify="left")
    table.add_column("Attack type")
    table.add_column("Cell (from severity)", no_wrap=True)
    for column in ("Ack.", "Cell in", "Statement"):
        table.add_column(column, no_wrap=True)
    for name, playbook in kit.playbooks.items():
        title = playbook.title.get(kit.kit.locale) or next(iter(playbook.title.values()), "")
        about = [f"window {_duration(playbook.correlation_window)}"]
        if burst := playbook.burst:
            about.append(f"{burst.reviews} in {_duration(burst.within)} → {burst.becomes}")
        kind = Text.assemble((name, "bold"), "\n", title, "\n", ("; ".join(about), "dim"))
        cell = "\n".join(
            f"{c.role} ≥ {c.from_severity}" if c.from_severity.rank else c.role for c in playbook.cell
        )
        t = playbook.targets
        durations = (_duration(d) for d in (t.acknowledge, t.assemble, t.first_statement))
        table.add_row(kind, Text(cell), *(Text(d) for d in durations))
    return table


def _duration(value: timedelta) -> str:
    """15m, 2h, 1h30m, 7d: the way the kit file writes durations."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"
