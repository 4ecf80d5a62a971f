"""`cellule report-period`: across a period's incidents (or drills), is the cell getting faster?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from cellule.commands.common import console, fail, open_runtime, reader_zone
from cellule.commands.incidents import ZoneOption, local
from flows.lookups import typed_day
from flows.postmortem.formatting import duration, percent
from flows.postmortem.period import MetricSummary, OpenItem, PeriodReport, period_report
from models import transaction

METRIC_NAMES = {
    "detect": "time to detect",
    "acknowledge": "acknowledge",
    "assemble": "assemble the cell",
    "first_statement": "first holding statement",
    "approval": "approval",
    "publication": "publication",
    "resolution": "resolution",
}


def report_period(
    from_: Annotated[str, typer.Option("--from", metavar="YYYY-MM-DD", help="First day of the period.")],
    to: Annotated[str, typer.Option("--to", metavar="YYYY-MM-DD", help="Last day of the period (included).")],
    drills: Annotated[
        bool, typer.Option("--drills", help="Report on drills instead of real incidents.")
    ] = False,
    tz: ZoneOption = None,
) -> None:
    """Counts by attack and severity, median and p90 of each response time, targets met, trend, open items."""
    zone = reader_zone(tz)
    start, end = (
        _day(from_, zone),
        _day(to, zone) + timedelta(days=1),
    )  # days start at midnight, reader's zone
    if end <= start:
        fail("--to must not be before --from.", code=2)
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        report = period_report(session, start=start, end=end, drills=drills, as_of=runtime.now())
    print_period(report, zone)


def _day(value: str, zone: ZoneInfo) -> datetime:
    return typed_day(value, zone=zone).astimezone(UTC)


def print_period(report: PeriodReport, zone: ZoneInfo) -> None:
    """The period report as tables: counts, response times with their trend, what is still open."""
    now, before = report.current, report.previous
    what = "drills" if report.drills else "incidents"
    last_day = (now.end - timedelta(seconds=1)).astimezone(zone).date()
    console.print(
        Text(
            f"{now.incidents} {what} from {now.start.astimezone(zone).date()} to {last_day} ({zone.key})",
            style="bold",
        )
        + Text(f" — previous period of the same length: {before.incidents}", style="dim")
    )
    counts = Table(title="By attack type and severity")
    for column in ("", "this period", "previous"):
        counts.add_column(column)
    for label, mine, theirs in (
        ("attack", now.by_attack_type, before.by_attack_type),
        ("severity", now.by_severity, before.by_severity),
    ):
        for key in dict.fromkeys([*mine, *theirs]):
            counts.add_row(f"{label}: {key}", str(mine.get(key, 0)), str(theirs.get(key, 0)))
    console.print(counts)
    times = Table(title="Response times")
    for column in (
        "measure",
        "n",
        "median",
        "p90",
        "targets met",
        "previous median",
        "trend",
        "previous met",
    ):
        times.add_column(column)
    for current in now.metrics:
        previous = before.metric(current.key)
        times.add_row(
            METRIC_NAMES.get(current.key, current.key),
            str(current.measured),
            duration(current.median, "en"),
            duration(current.p90, "en"),
            _share(current),
            duration(previous.median, "en"),
            _trend(current, previous),
            _share(previous),
        )
    console.print(times)
    for title, items in (("Open commitments", report.commitments), ("Open action items", report.actions)):
        _print_open(title, items, zone)


def _share(summary: MetricSummary) -> str:
    if summary.share_met is None:
        return "—"
    return f"{percent(summary.share_met, 'en')} ({summary.met}/{summary.met + summary.missed})"


def _trend(current: MetricSummary, previous: MetricSummary) -> Text:
    """Faster is better: a shorter median than the previous period's is green."""
    if current.median is None or previous.median is None:
        return Text("—")
    change = current.median - previous.median
    if change == timedelta(0):
        return Text("=")
    sign, style = ("▼ ", "green") if change < timedelta(0) else ("▲ +", "red")
    return Text(sign + duration(abs(change), "en"), style=style)


def _print_open(title: str, items: tuple[OpenItem, ...], zone: ZoneInfo) -> None:
    if not items:
        console.print(f"{title}: none.")
        return
    table = Table(title=title)
    for column in ("incident", "", "what", "owner", "due"):
        table.add_column(column)
    for item in items:
        due = Text(local(item.due_at, zone), style="red" if item.overdue else "")
        table.add_row(item.ref, item.label, Text(item.text), Text(item.owner), due)
    console.print(table)
