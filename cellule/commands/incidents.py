"""`cellule incidents` and `cellule show`: read where each crisis stands, in the reader's time zone."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cellule.commands.common import console, open_runtime, reader_zone
from cellule.commands.exit_view import local, print_exit_view
from flows.surround.views import IncidentView, incident_board, read_incident
from models import MILESTONES, transaction

SEVERITY_STYLE = {"low": "green", "medium": "yellow", "high": "red", "critical": "bold white on red"}
ZoneOption = Annotated[
    str | None, typer.Option("--tz", help="Show times in this zone (default CELLULE_TIMEZONE).")
]


def incidents(
    all_: Annotated[
        bool, typer.Option("--all", help="Include resolved, closed and dismissed incidents.")
    ] = False,
    drills: Annotated[bool, typer.Option("--drills", help="Include drill incidents.")] = False,
    tz: ZoneOption = None,
) -> None:
    """List incidents, most recent first."""
    zone = reader_zone(tz)
    with transaction(open_runtime().sessions) as session:
        rows = incident_board(session, include_closed=all_, drills=drills)
    if not rows:
        console.print("No incident to show." + ("" if all_ else " (--all includes closed ones)"))
        return
    table = Table(title="Incidents")
    table.add_column("Ref", no_wrap=True)
    for column in ("Status", "Type", "Severity", "Target", "Signals", "Acked"):
        table.add_column(column)
    table.add_column("Detected", no_wrap=True)
    for line in rows:
        incident = line.incident
        table.add_row(
            incident.ref,
            incident.status.value,
            incident.attack_type.value,
            Text(incident.severity.value, style=SEVERITY_STYLE[incident.severity.value]),
            Text(incident.target.name),
            str(line.signals),
            f"{line.acknowledged}/{line.called}",
            local(incident.detected_at, zone),
        )
    console.print(table)


def show(
    ref: Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")],
    tz: ZoneOption = None,
) -> None:
    """Show one incident: milestones, cell, drafts and approvals, commitments, review avenues, signals,
    timeline."""
    zone = reader_zone(tz)
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        view = read_incident(session, ref=ref, now=runtime.now())
    print_incident(view, zone)


def print_incident(view: IncidentView, zone: ZoneInfo) -> None:
    """Render one incident for a person reading it under pressure: the essentials first."""
    incident = view.incident
    header = Text()
    if incident.is_drill:
        header.append("EXERCICE / DRILL  ", style="bold black on yellow")
    header.append(f"{incident.ref}  ", style="bold")
    header.append(Text(incident.title))
    header.append(f"\n{incident.attack_type.value} · ")
    header.append(incident.severity.value, style=SEVERITY_STYLE[incident.severity.value])
    header.append(f" · {incident.status.value}")
    console.print(Panel(header, expand=False))

    milestones = Table(title="Milestones", show_header=False)
    for name in MILESTONES:
        milestones.add_row(name.removesuffix("_at").replace("_", " "), local(getattr(incident, name), zone))
    console.print(milestones)

    people = Table(title="Crisis cell")
    for column in ("Role", "Person", "Called", "Acknowledged"):
        people.add_column(column)
    for member in view.cell:
        people.add_row(
            member.role,
            Text(member.person.name),
            local(member.called_at, zone),
            local(member.acknowledged_at, zone),
        )
    console.print(people if view.cell else Text("Crisis cell: nobody called yet.", style="yellow"))
    if view.exit is not None:
        print_exit_view(incident, view.exit, zone)

    seen = Table(title="Signals")
    for column in ("Seen", "Platform", "Author", "★", "Text"):
        seen.add_column(column)
    for signal in view.signals:
        excerpt = signal.text if len(signal.text) <= 160 else signal.text[:159] + "…"
        seen.add_row(
            local(signal.observed_at, zone),
            signal.platform,
            Text(signal.author or "—"),
            str(signal.rating or "—"),
            Text(excerpt),
        )
    console.print(seen)

    events = Table(title=f"Timeline ({zone.key})")
    for column in ("When", "What", "Who", "Detail"):
        events.add_column(column)
    for event in view.timeline:
        events.add_row(local(event.at, zone), event.kind, Text(event.actor or ""), Text(event.summary))
    console.print(events)
