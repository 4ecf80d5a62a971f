"""`cellule kit accounts`, `cellule kit access` and `cellule kit offboard`: the organisation's social
accounts, who has access to each, and what to take back the day someone leaves."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands.common import console, err_console, fail, hint_for, open_runtime, reader_zone
from flows.kit.inventory import apply_inventory, inventory_accounts, inventory_grants, reference_problems
from flows.kit.inventory_files import (
    accounts_for_export,
    as_csv,
    as_yaml,
    grants_for_export,
    located,
    read_accounts_file,
    read_grants_file,
)
from flows.kit.loading import KitError
from flows.kit.schema import AccountSpec, GrantSpec
from flows.kit.views import person_names
from flows.prepare.findings import DUTIES
from flows.prepare.offboarding import OffboardingError, OffboardingPlan, mark_revoked, offboarding_plan
from flows.prepare.usernames import account_label
from models import AccessGrant, transaction

Spec = TypeVar("Spec", bound=BaseModel)


class FileFormat(enum.StrEnum):
    CSV = "csv"
    YAML = "yaml"


ImportOption = Annotated[
    Path | None,
    typer.Option(
        "--import",
        help="Replace the stored list with this file (.csv, or .yaml with the kit's section).",
        show_default=False,
    ),
]
ExportOption = Annotated[
    FileFormat | None,
    typer.Option("--export", help="Print the stored list as CSV or YAML (to redirect into a file)."),
]


def accounts(
    import_: ImportOption = None,
    export: ExportOption = None,
    all_: Annotated[bool, typer.Option("--all", help="Include accounts no longer in the inventory.")] = False,
) -> None:
    """The social accounts: who answers for each, its two-factor, its recovery, where its login lives."""
    runtime = open_runtime()
    if import_ is not None:
        specs = _read(read_accounts_file, import_)
        with transaction(runtime.sessions) as session:
            _check_references(session, import_, accounts=specs, grants=None)
            change = apply_inventory(session, accounts=specs, grants=None, at=runtime.now())
        console.print(
            f"[green]✓[/] {len(specs)} accounts imported: {change.accounts_added} new, "
            f"{change.accounts_updated} updated, {change.accounts_retired} no longer in the inventory."
        )
    with transaction(runtime.sessions) as session:
        if export is not None:
            typer.echo(_export(export, "accounts", accounts_for_export(session), AccountSpec), nl=False)
            return
        names = person_names(session)
        rows = inventory_accounts(session, include_retired=all_)
    table = Table(title=f"Social accounts ({len(rows)})", title_justify="left")
    for column in ("Account", "Owner", "Two-factor", "Recovery", "Login kept in", "Password changed"):
        table.add_column(column)
    table.add_column("Linked apps", overflow="fold")
    for a in rows:
        label = Text.assemble(account_label(a.platform, a.handle), "\n", (a.key, "dim"))
        if not a.active:
            label.append("\nno longer in the inventory", style="yellow")
        factor = (
            Text(f"on · {names[a.two_factor_holder_id]}" if a.two_factor_holder_id else "on · holder unknown")
            if a.two_factor
            else Text("OFF", style="bold red")
        )
        recovery = Text(names.get(a.recovery_owner_id, "—") if a.recovery_owner_id else "—")
        if a.recovery_contact:
            recovery.append(f"\n{a.recovery_contact}", style="dim")
        login = Text(a.credentials_in or "unknown", style="" if a.credentials_in else "yellow")
        if a.credentials_shared:
            login.append("\nshared login", style="yellow")
        rotated = a.credentials_rotated_on.isoformat() if a.credentials_rotated_on else "never recorded"
        owner = names.get(a.owner_id, "—") if a.owner_id else "—"
        table.add_row(
            label, Text(owner), factor, recovery, login, Text(rotated), Text(", ".join(a.linked_apps) or "—")
        )
    console.print(table)
    if not rows:
        console.print(
            "Declare them in the kit (section accounts) or import a CSV: cellule kit accounts --import"
        )


def access(
    import_: ImportOption = None,
    export: ExportOption = None,
    all_: Annotated[bool, typer.Option("--all", help="Include revoked access, with who revoked it.")] = False,
) -> None:
    """Who has access to which account, at which level, through which tool."""
    runtime = open_runtime()
    if import_ is not None:
        specs = _read(read_grants_file, import_)
        with transaction(runtime.sessions) as session:
            _check_references(session, import_, accounts=None, grants=specs)
            change = apply_inventory(session, accounts=None, grants=specs, at=runtime.now())
        console.print(
            f"[green]✓[/] {len(specs)} access lines imported: {change.grants_added} new, "
            f"{change.grants_updated} updated."
        )
        if change.grants_unlisted:
            console.print(
                f"[yellow]![/] {change.grants_unlisted} access no longer listed were kept as live until "
                "someone records their revocation (cellule kit offboard KEY --mark-revoked ID --by YOU)."
            )
        for pair in change.still_revoked:
            console.print(f"[yellow]![/] {pair}: already revoked, left as it is (give a later grant date).")
    zone = reader_zone(None)
    with transaction(runtime.sessions) as session:
        if export is not None:
            typer.echo(_export(export, "access", grants_for_export(session), GrantSpec), nl=False)
            return
        names = person_names(session)
        grants = inventory_grants(session, include_revoked=all_)
    table = Table(title=f"Access ({len(grants)})", title_justify="left")
    for column in ("#", "Person", "Account", "Level", "Through", "Granted", "Status"):
        table.add_column(column)
    for g in grants:
        table.add_row(
            str(g.id),
            Text(g.person.name),
            Text(account_label(g.account.platform, g.account.handle)),
            g.level.value,
            Text(g.via or "—"),
            g.granted_on.isoformat() if g.granted_on else "—",
            _status(g, names, zone),
        )
    console.print(table)


def offboard(
    person: Annotated[str, typer.Argument(help="The key of the person leaving (or who left).")],
    mark_revoked_ids: Annotated[
        list[int] | None,
        typer.Option("--mark-revoked", help="A grant number (#) revoked on its platform; repeat for each."),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Your key: who revoked it.")] = None,
) -> None:
    """What to take back when someone leaves: their access, the roles they leave, what they own."""
    runtime = open_runtime()
    if mark_revoked_ids and by is None:
        fail("Say who revoked it.", hint=f"cellule kit offboard {person} --mark-revoked ID --by YOUR_KEY")
    try:
        with transaction(runtime.sessions) as session:
            if mark_revoked_ids:
                assert by is not None
                done = mark_revoked(
                    session, person_key=person, grant_ids=mark_revoked_ids, by_key=by, at=runtime.now()
                )
                for grant in done:
                    console.print(f"[green]✓[/] Grant {grant.id} recorded as revoked.")
            plan = offboarding_plan(session, person_key=person)
    except OffboardingError as exc:
        fail(f"{exc} Nothing was recorded." if mark_revoked_ids else str(exc), hint=hint_for(exc))
    _print_plan(plan)


def _read(reader: Callable[[Path], list[Spec]], path: Path) -> list[Spec]:
    try:
        return reader(path)
    except KitError as exc:
        for problem in exc.problems:
            err_console.print(Text(str(problem), style="red"), soft_wrap=True)
        fail("Nothing was imported; the store is unchanged.", code=2)


def _check_references(
    session: Session, path: Path, *, accounts: list[AccountSpec] | None, grants: list[GrantSpec] | None
) -> None:
    problems = reference_problems(session, accounts=accounts, grants=grants)
    if problems:
        for problem in located(path, problems).problems:
            err_console.print(Text(str(problem), style="red"), soft_wrap=True)
        fail("Nothing was imported; the store is unchanged.", code=2)


def _export(fmt: FileFormat, section: str, specs: Sequence[BaseModel], schema: type[BaseModel]) -> str:
    return as_csv(specs, schema) if fmt == FileFormat.CSV else as_yaml(section, specs)


def _status(grant: AccessGrant, names: dict[int, str], zone: ZoneInfo) -> Text:
    if grant.revoked_at is not None:
        by = names.get(grant.revoked_by_id, "?") if grant.revoked_by_id else "?"
        return Text(f"revoked {grant.revoked_at.astimezone(zone):%Y-%m-%d %H:%M} by {by}", style="dim")
    parts = Text()
    if not grant.person.active:
        parts.append("HAS LEFT: revoke it ", style="bold red")
    if grant.unlisted_at is not None:
        parts.append("no longer listed ", style="yellow")
    if grant.shared:
        parts.append("shared login ", style="yellow")
    return parts if parts.plain else Text("live", style="green")


def _print_plan(plan: OffboardingPlan) -> None:
    where = "still in the kit" if plan.still_in_kit else "no longer in the kit"
    console.print(
        Text.assemble(("Offboarding " + plan.person_name, "bold"), f" ({plan.person_key}) — {where}")
    )

    if plan.grants:
        table = Table(title=f"Access to revoke ({len(plan.grants)})", title_justify="left")
        for column in ("#", "Account", "Level", "Through", "Note"):
            table.add_column(column)
        for g in plan.grants:
            note = "shared login: change the password" if g.shared else ""
            table.add_row(
                str(g.id),
                Text(account_label(g.account.platform, g.account.handle)),
                g.level.value,
                Text(g.via or "—"),
                Text(note, style="yellow"),
            )
        console.print(table)
        ids = " ".join(f"--mark-revoked {g.id}" for g in plan.grants)
        console.print("Revoke each one on its platform, then record it:")
        console.print(Text(f"  cellule kit offboard {plan.person_key} {ids} --by YOUR_KEY"), soft_wrap=True)
    else:
        console.print("[green]✓[/] No live access to revoke.")

    console.print()
    if not plan.roles:
        console.print("Roles: they hold none in the current roster.")
    for handover in plan.roles:
        if handover.uncovered:
            line = Text(
                f"✗ {handover.role}: nobody else can take it: the role is left uncovered", style="red"
            )
        elif handover.was_primary:
            line = Text(f"• {handover.role}: {handover.successor} (their backup) takes over as primary")
        else:
            line = Text(f"• {handover.role}: {handover.successor} stays primary")
        if not handover.uncovered and handover.backups_left == 0:
            line.append(" — no backup left", style="yellow")
        console.print(line)

    for duty in plan.duties:
        said = ", ".join(DUTIES[d]["en"] for d in duty.duties)
        console.print(Text(f"! {duty.account}: they are the {said}; hand it over first", style="yellow"))

    if plan.drafts:
        console.print()
        console.print("Drafts they wrote, still in play:")
        for d in plan.drafts:
            console.print(Text(f"  {d.incident_ref} {d.label} ({d.kind}, {d.status.replace('_', ' ')})"))
    console.print("[dim]Public commitments they own are not part of this list yet: check them by hand.[/]")
    if plan.still_in_kit:
        console.print(
            "Then take them out of the kit file (people, roster, access) and load it again: "
            "any access not recorded as revoked by then is a critical finding of `cellule audit`."
        )
