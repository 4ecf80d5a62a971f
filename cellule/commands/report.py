"""`cellule report`: say "this is an attack" — one signal from options, or a batch from a JSON feed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from cellule.commands.common import console, fail, follow_up, open_runtime, refuse
from cellule.reporting import Reported, report_attacks
from cellule.triggers import incidents_to_run
from flows.intake.feeds import read_feed
from flows.intake.reports import IntakeError, parse_report
from models import AttackType


def report(
    target: Annotated[
        str | None, typer.Option("--target", "-t", help="What is attacked: place, brand, account.")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="The review or post, as written.")] = None,
    attack_type: Annotated[
        AttackType | None,
        typer.Option("--type", help="Attack type; classified by the kit's rules if left out."),
    ] = None,
    platform: Annotated[
        str, typer.Option(help="google, tripadvisor, trustpilot, x, facebook, press…")
    ] = "other",
    url: Annotated[str | None, typer.Option(help="Where it can be seen.")] = None,
    external_id: Annotated[
        str | None, typer.Option("--id", help="The platform's id for the review or post.")
    ] = None,
    author: Annotated[str | None, typer.Option(help="The author's display name.")] = None,
    rating: Annotated[int | None, typer.Option(help="Star rating, 1 to 5.")] = None,
    reach: Annotated[int | None, typer.Option(help="Estimated audience (views, followers).")] = None,
    observed_at: Annotated[
        datetime | None, typer.Option("--seen-at", help="When it appeared, with its offset (default: now).")
    ] = None,
    reported_by: Annotated[str | None, typer.Option("--by", help="Who reports it.")] = None,
    feed: Annotated[Path | None, typer.Option(help="A JSON file of signals to report as one batch.")] = None,
) -> None:
    """Report an attack: the signal is stored, an incident opened or grown, and the crisis cell alerted."""
    try:
        if feed is not None:
            reports = read_feed(feed)
        else:
            if target is None or text is None:
                fail("Say what is attacked and what was written: --target and --text.", code=2)
            fields = {
                "target": target,
                "text": text,
                "attack_type": attack_type,
                "platform": platform,
                "url": url,
                "external_id": external_id,
                "author": author,
                "rating": rating,
                "reach": reach,
                "observed_at": observed_at,
                "reported_by": reported_by,
            }
            reports = [parse_report({k: v for k, v in fields.items() if v is not None})]
        runtime = open_runtime()
        outcomes = report_attacks(runtime, reports, source="feed" if feed else "cli")
    except IntakeError as exc:
        refuse(exc, lead="This report was not accepted; nothing was stored.", then=None)
    _print_outcomes(outcomes)
    # The rule every door follows (cellule/triggers.py): a signal that opens or re-grades an incident runs
    # the protocol now; one that merely joins waits for the tick.
    follow_up(runtime, incidents_to_run(outcomes))
    if not any(o.new_signal for o in outcomes):
        console.print("Nothing new: every signal was already reported, so nobody was alerted again.")


def _print_outcomes(outcomes: list[Reported]) -> None:
    for outcome in outcomes:
        line = Text()
        if not outcome.new_signal:
            line.append("= already reported ", style="yellow")
        elif outcome.opened:
            line.append("● incident opened ", style="bold red")
        else:
            line.append("+ joined ", style="cyan")
        line.append(outcome.incident_ref, style="bold")
        line.append(f"  (signal #{outcome.signal_id})", style="dim")
        console.print(line)
