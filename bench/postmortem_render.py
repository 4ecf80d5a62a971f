"""Rendering a post-mortem of a long crisis, against the floor of merely reading its timeline.

One resolved incident with N timeline events (default 10,000) and a tenth as many signals, written in bulk.
Measured, best of a few runs each: the floor — SELECT the incident's timeline rows as plain rows; reading
the whole record (every query the report needs); rendering Markdown and HTML (with the charts) from it; and
the end-to-end total, which is what `cellule postmortem` costs. The ratio is total / floor.

`rows(short)` gives `make bench` its row (no goal in issue 13: the ratio is reported, not judged).

Run: .venv/bin/python bench/postmortem_render.py [--events 10000] [--db sqlite|postgresql] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from _harness import Row, fresh_store
from sqlalchemy import insert, select

from cellule.store import open_store
from flows.postmortem import ReportFormat, read_record, render_report
from models import AttackType, Incident, IncidentStatus, Severity, Signal, Target, TimelineEvent, transaction

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/Paris")
KINDS = ("signal", "reminder", "approval", "acknowledged", "escalated", "draft_status", "milestone")


def build(url: str, events: int) -> int:
    """The incident: N events over three days, one signal per ten events; returns its id."""
    sessions = open_store(url)
    span = timedelta(days=3)
    with transaction(sessions) as session:
        target = Target(key="hotel-des-lilas", name="Hôtel des Lilas")
        session.add(target)
        session.flush()
        incident = Incident(
            ref="CRI-2026-0001",
            title="Avalanche d'avis",
            attack_type=AttackType.REVIEW_BOMBING,
            severity=Severity.HIGH,
            status=IncidentStatus.RESOLVED,
            target_id=target.id,
            last_signal_at=T0 + span,
            first_signal_at=T0,
            detected_at=T0 + timedelta(minutes=3),
            acknowledged_at=T0 + timedelta(minutes=14),
            cell_assembled_at=T0 + timedelta(minutes=70),
            first_statement_at=T0 + timedelta(hours=2),
            approved_at=T0 + timedelta(minutes=100),
            published_at=T0 + timedelta(hours=2),
            resolved_at=T0 + span,
        )
        session.add(incident)
        session.flush()
        step = span / events
        session.execute(
            insert(TimelineEvent),
            [
                {
                    "incident_id": incident.id,
                    "at": T0 + step * n,
                    "kind": KINDS[n % len(KINDS)],
                    "actor": f"person.{n % 12}",
                    "summary": f"event {n}: <b>outside</b> text & co " * 3,
                    "old": None,
                    "new": {"n": n},
                }
                for n in range(events)
            ],
        )
        session.execute(
            insert(Signal),
            [
                {
                    "dedup_key": hashlib.sha256(str(n).encode()).hexdigest(),
                    "target_id": target.id,
                    "incident_id": incident.id,
                    "source": "feed",
                    "platform": "google",
                    "external_id": f"r{n}",
                    "author": f"Auteur {n}",
                    "rating": 1,
                    "text": f"Avis {n} <script>x</script>",
                    "reach": n,
                    "observed_at": T0 + step * 10 * n,
                    "received_at": T0 + step * 10 * n,
                    "is_drill": False,
                }
                for n in range(max(events // 10, 1))
            ],
        )
        incident_id = incident.id
    sessions.kw["bind"].dispose()
    return incident_id


def best_of(runs: int, action: Callable[[], object]) -> tuple[float, object]:
    """The fastest of `runs` calls, in seconds, and what the last one returned."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def measure(db: str, events: int, runs: int) -> dict[str, float]:
    """Seconds (best of `runs`) for the floor, reading, rendering each format and end to end."""
    with fresh_store(db) as url:
        incident_id = build(url, events)
        sessions = open_store(url)

        def floor() -> int:
            with transaction(sessions) as session:
                # Plain rows, no ORM objects: the least any report of this timeline must pay.
                table = TimelineEvent.__table__
                return len(session.execute(select(table).where(table.c.incident_id == incident_id)).all())

        def read() -> object:
            with transaction(sessions) as session:
                return read_record(session, incident_id=incident_id)

        def render(fmt: ReportFormat) -> Callable[[], object]:
            return lambda: render_report(
                record, fmt=fmt, locale="fr", zone=ZONE, as_of=T0 + timedelta(days=30)
            )

        def end_to_end() -> object:
            with transaction(sessions) as session:
                whole = read_record(session, incident_id=incident_id)
            return render_report(whole, fmt=ReportFormat.HTML, locale="fr", zone=ZONE, as_of=T0)

        floor()  # warm the connection pool and the database's cache for every measurement alike
        floor_s, count = best_of(runs, floor)
        read_s, record = best_of(runs, read)
        md_s, markdown = best_of(runs, render(ReportFormat.MD))
        html_s, html = best_of(runs, render(ReportFormat.HTML))
        total_s, _ = best_of(runs, end_to_end)
        sessions.kw["bind"].dispose()
    return {
        "events": float(count),  # type: ignore[arg-type]
        "floor": floor_s,
        "read": read_s,
        "markdown": md_s,
        "markdown_mb": len(str(markdown)) / 1e6,
        "html": html_s,
        "html_mb": len(str(html)) / 1e6,
        "total": total_s,
    }


def rows(short: bool) -> list[Row]:
    """`make bench`: 2,000 events on SQLite (short), 10,000 on both databases (full)."""
    found = []
    for db in ("sqlite",) if short else ("sqlite", "postgresql"):
        events = 2_000 if short else 10_000
        m = measure(db, events, runs=2 if short else 3)
        found.append(
            Row.measured(
                f"post-mortem of {events:,} events, read + HTML / read the timeline rows ({db})",
                m["total"],
                m["floor"],
            )
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    m = measure(args.db, args.events, args.runs)
    signals = max(args.events // 10, 1)
    print(f"post-mortem of one incident with {m['events']:,.0f} timeline events and {signals:,} signals")
    print(f"  database                               {args.db}")
    print(f"  floor: read the timeline rows          {m['floor'] * 1000:9.1f} ms")
    print(f"  read the whole record (every query)    {m['read'] * 1000:9.1f} ms")
    markdown_ms = m["markdown"] * 1000
    print(f"  render Markdown                        {markdown_ms:9.1f} ms  ({m['markdown_mb']:.1f} MB)")
    print(f"  render HTML with charts                {m['html'] * 1000:9.1f} ms  ({m['html_mb']:.1f} MB)")
    print(f"  end to end: read + HTML                {m['total'] * 1000:9.1f} ms")
    print(f"  ratio end to end / floor               {m['total'] / m['floor']:9.1f} ×")


if __name__ == "__main__":
    main()
