"""`cellule statements …`: the statement library — prepared words, approved in peacetime.

Each action is one transaction; a refused one says why (exit code 2) and changes nothing.
See docs/statement-library.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Column, Table
from rich.text import Text

from cellule.commands.common import Commands, console, open_runtime, reader_zone
from cellule.commands.incidents import ZoneOption
from flows.exit_on_top.library_desk import (
    EntryView,
    approve_statement,
    library_entry,
    library_overview,
    write_statement,
)
from flows.exit_on_top.library_store import Standing
from flows.lookups import STATEMENT_FILE, file_text
from models import transaction

statements_app = Commands(
    help="The statement library: holding statements approved before the crisis.", no_args_is_help=True
)
Key = Annotated[str, typer.Argument(help="The entry's key in the kit, e.g. fake-review-holding.")]
Lang = Annotated[str, typer.Option("--lang", help="The text's language: fr or en.")]
Who = Annotated[str, typer.Option("--as", help="Who you are: your key in the kit, e.g. anne.roux.")]
File = Annotated[Path, typer.Option("--file", help="A UTF-8 file holding the text.")]


@statements_app.command("list")
def list_(tz: ZoneOption = None) -> None:
    """Every entry of the library, and where each of its texts stands (approved until when, or not)."""
    zone, runtime = reader_zone(tz), open_runtime()
    with transaction(runtime.sessions) as session:
        views = library_overview(session, now=runtime.now())
    if not views:
        console.print("The kit has no statement library yet: add a `statements:` section (see the docs).")
        return
    table = Table("for", "lang", "version", "standing")
    table.columns.insert(0, Column("entry", no_wrap=True))
    for view in views:
        tiers = ", ".join(s.value for s in view.entry.severities)
        for held in view.texts:
            assert held.text is not None
            table.add_row(
                view.entry.key, f"{view.entry.attack_type.value} ({tiers})", held.locale,
                f"v{held.text.version}", Text(_standing(held, zone)),
            )  # fmt: skip
    console.print(table)


@statements_app.command()
def show(key: Key, tz: ZoneOption = None) -> None:
    """One entry: its variables, each text in full, and the approvals each rests on."""
    zone, runtime = reader_zone(tz), open_runtime()
    with transaction(runtime.sessions) as session:
        view = library_entry(session, key=key, now=runtime.now())
    _print_entry(view, zone)


@statements_app.command()
def propose(key: Key, lang: Lang, as_: Who, file: File) -> None:
    """Write the entry's text in a language it does not have yet, for the quorum to approve."""
    _write(key, lang, as_, file, new=True)


@statements_app.command()
def edit(key: Key, lang: Lang, as_: Who, file: File) -> None:
    """Replace the entry's text: a new version, and every approval of the old words is void."""
    _write(key, lang, as_, file, new=False)


@statements_app.command()
def approve(
    key: Key,
    lang: Lang,
    as_: Who,
    version: Annotated[int | None, typer.Option(help="The version you read (refused if it changed).")] = None,
) -> None:
    """Approve the entry's current text, as the quorum asks of a crisis draft (never your own words)."""
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        held = approve_statement(
            session, key=key, locale=lang, person_key=as_, at=runtime.now(), version=version
        )
        said = held.state.explanation if held.state else ""
    console.print(Text(f"✓ {key} ({lang}) approved. {said}", style="green"))


def _write(key: str, lang: str, who: str, file: Path, *, new: bool) -> None:
    text = file_text(file, cap=STATEMENT_FILE)
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        written = write_statement(
            session, key=key, locale=lang, person_key=who, text=text, at=runtime.now(), new=new
        )
        version = written.version
    voided = "" if new or version == 1 else " Earlier approvals no longer count: it needs the quorum again."
    console.print(Text(f"✓ {key} ({lang}) is now version {version}.{voided}", style="green"))


def _standing(held: Standing, zone: ZoneInfo) -> str:
    if held.approved:
        until = held.expires_at
        return "approved" + (f", until {until.astimezone(zone):%Y-%m-%d}" if until else "")
    if held.stale:
        return "approval expired: review it and approve again"
    return held.state.explanation if held.state else "no text"


def _print_entry(view: EntryView, zone: ZoneInfo) -> None:
    entry = view.entry
    tiers = ", ".join(s.value for s in entry.severities)
    console.print(
        Text(f"{entry.key} — {entry.kind.value} for {entry.attack_type.value} ({tiers})", style="bold")
    )
    publisher = entry.publish_role or "the incident's lead"
    console.print(
        Text(f"Published by {publisher}; approvals hold {entry.review_every_months or '∞'} month(s).")
    )
    for name, variable in entry.variables.items():
        origin = f"from {variable.source.value}" if variable.source else f"= {variable.value}"
        console.print(Text(f"  {{{{ {name} }}}}  {variable.type.value}, {origin}"))
    for held in view.texts:
        assert held.text is not None
        console.print()
        head = f"[{held.locale}] version {held.text.version} by {view.writers.get(held.text.author_id, '?')}"
        console.print(Text(f"{head} — {_standing(held, zone)}", style="bold"))
        console.print(Text(held.text.text))
        console.print(Text(f"SHA-256 {held.text.text_sha256}", style="dim"))
        for approval in (*held.counted, *held.expired):
            state = "expired" if approval in held.expired else "approved"
            when = approval.decided_at.astimezone(zone)
            console.print(
                Text(f"  ✓ {approval.person.name} ({approval.role}) {state} on {when:%Y-%m-%d %H:%M}")
            )
