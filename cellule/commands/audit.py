"""`cellule audit`: the kit's gaps, each with its fix, and the readiness score to keep green."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cellule.commands.common import console, err_console, fail, open_runtime
from flows.kit.loading import KitError, NoKit
from flows.prepare.audit import AuditReport
from flows.prepare.audit_notice import audit_now, tell_the_owner
from flows.prepare.findings import FindingSeverity
from models import Person, transaction
from notifications import dispatch_due

SEVERITY_STYLE = {"critical": "bold white on red", "warning": "yellow", "info": "dim"}
BAR_WIDTH = 20


def audit(
    notify: Annotated[
        bool, typer.Option("--notify", help="Also send the findings to the kit's owner (once a day).")
    ] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="fr or en (default: the kit's language).", show_default=False)
    ] = None,
) -> None:
    """Audit the crisis kit: accounts, access, roster, messages and drills, with a fix for each finding."""
    if lang is not None and lang not in ("fr", "en"):
        fail(f"Unknown language {lang!r}.", hint="Use --lang fr or --lang en.")
    runtime = open_runtime()
    now = runtime.now()
    try:
        with transaction(runtime.sessions) as session:
            kit, report = audit_now(session, now=now, channels=frozenset(runtime.available_channels))
            queued = None
            if notify:
                row = tell_the_owner(
                    session, kit=kit, report=report, now=now, channels=runtime.available_channels
                )
                if row is not None:
                    owner = session.get_one(Person, row.person_id)
                    queued = (row.key, owner.name, row.created_at == now)
    except NoKit:
        fail(
            "No crisis kit is loaded yet.", hint="Load one: `cellule kit load hotel` (or your own kit file)."
        )
    except KitError as exc:
        for problem in exc.problems:
            err_console.print(Text(str(problem), style="red"), soft_wrap=True)
        fail("The stored kit no longer matches what Cellule expects: load it again.", code=2)
    _print_report(report, lang or kit.kit.locale)
    if notify:
        if queued is None:
            console.print("Nothing to send: the kit has no finding.")
        elif not queued[2]:
            console.print(f"{queued[1]} was already sent today's audit ({queued[0]}).")
        else:
            dispatch_due(runtime.sessions, channels=runtime.channels, now=runtime.now())
            console.print(f"[green]✓[/] Findings sent to {queued[1]}, the kit's owner.")


def _print_report(report: AuditReport, locale: str) -> None:
    if report.findings:
        table = Table(title=f"Findings ({len(report.findings)})", title_justify="left", show_lines=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Area", no_wrap=True)
        table.add_column("What is wrong", ratio=1, overflow="fold")
        table.add_column("How to fix it", ratio=1, overflow="fold")
        for f in report.findings:
            table.add_row(
                Text(f.severity.value, style=SEVERITY_STYLE[f.severity.value]),
                f.category.value,
                Text(f.problem(locale)),
                Text(f.fix(locale)),
            )
        console.print(table)
    else:
        console.print("[green]✓[/] No finding: the kit is ready.")

    breakdown = Table.grid(padding=(0, 2))
    for category, score in report.breakdown.items():
        filled = round(score * BAR_WIDTH / 100)
        bar = Text("█" * filled, style=_style(score)).append("░" * (BAR_WIDTH - filled), style="dim")
        breakdown.add_row(category.value, bar, f"{score:>3}")
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in FindingSeverity)
    title = Text.assemble(("Readiness ", "bold"), (f"{report.score}/100", f"bold {_style(report.score)}"))
    console.print(Panel(breakdown, title=title, title_align="left", subtitle=counts, expand=False))


def _style(score: int) -> str:
    return "green" if score >= 80 else "yellow" if score >= 50 else "red"
