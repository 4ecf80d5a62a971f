"""`cellule report`: say "this is an attack" — one signal from options, or a batch from a JSON feed."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from cellule.commands.common import console, fail, open_runtime
from cellule.engine import run_protocol
from cellule.reporting import Reported, report_attacks
from flows.intake.reports import IntakeError, SignalReport, parse_report
from flows.kit.loading import NoKit
from models import AttackType

MAX_FEED_BYTES = 5_000_000


def read_feed(path: Path) -> list[SignalReport]:
    """A JSON list of reports (or {"signals": [...]}); any bad item refuses the whole feed."""
    if not path.is_file():
        raise IntakeError(f"{path}: no such file")
    raw = path.read_bytes()
    if len(raw) > MAX_FEED_BYTES:
        raise IntakeError(
            f"{path}: {len(raw):,} bytes is too large for one feed (at most {MAX_FEED_BYTES:,})"
        )
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise IntakeError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise IntakeError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    items = data.get("signals") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise IntakeError(f'{path}: expected a non-empty list of signals, or {{"signals": [...]}}')
    reports, problems = [], []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"signal {index}: expected an object")
            continue
        try:
            reports.append(parse_report(item))
        except IntakeError as exc:
            problems.extend(f"signal {index}: {line}" for line in str(exc).splitlines())
    if problems:
        raise IntakeError(f"{path}: nothing was stored\n" + "\n".join(problems))
    return reports


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
        fail("This report was not accepted; nothing was stored.\n" + str(exc), code=2)
    except NoKit as exc:
        fail(str(exc), code=2, hint="Load one first: `cellule kit load hotel` (or your own kit file).")
    _print_outcomes(outcomes)
    for incident_id in sorted({o.incident_id for o in outcomes if o.new_signal}):
        with console.status("Alerting the crisis cell…"):
            run_protocol(runtime, incident_id)
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
