"""Storm control: thousands of signals about one place within minutes.

Expected: one incident, every signal linked to it, and a bounded number of messages to people — the cell
is alerted when the incident opens and again only when its severity or type changes, never once per
signal. Signals arrive through the HTTP API in batches, the protocol runs in this process.
Floor: a raw Core insert of the same number of signal rows.

Run: .venv/bin/python bench/storm.py [--signals 10000] [--batch 500] [--db sqlite]
"""

from __future__ import annotations

import argparse
import io
import time

from _harness import app_client, fresh_store, review
from intake_throughput import raw_insert
from sqlalchemy import func, select

from cellule.store import open_store
from cellule.triggers import in_process
from flows.runtime import Runtime
from models import Incident, Notification, Participant, Signal, transaction
from notifications import ConsoleChannel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    n = args.signals
    with fresh_store(args.db) as url:
        floor = raw_insert(url, n)
    with fresh_store(args.db) as url:
        sessions = open_store(url)
        runtime = Runtime(sessions=sessions, channels={"console": ConsoleChannel(io.StringIO())})
        client = app_client(sessions, channels=runtime.channels, on_reported=in_process(runtime))
        # all within ten minutes: the storm
        signals = [review(i, minute=i * 10 // n) for i in range(n)]
        start = time.perf_counter()
        for i in range(0, n, args.batch):
            response = client.post("/api/v1/signals/batch", json={"signals": signals[i : i + args.batch]})
            assert response.status_code == 201, response.text[:500]
        took = time.perf_counter() - start
        with transaction(sessions) as session:
            incidents = session.scalar(select(func.count()).select_from(Incident))
            linked = session.scalar(select(func.count()).where(Signal.incident_id.is_not(None)))
            messages = session.scalar(select(func.count()).select_from(Notification))
            cell = session.scalar(select(func.count()).select_from(Participant))
            kind, severity = session.execute(select(Incident.attack_type, Incident.severity)).one()
    print(f"signals posted          {n:>8,} in batches of {args.batch} on {args.db}")
    print(f"incidents               {incidents:>8,}   ({kind}, {severity})")
    print(f"signals linked          {linked:>8,}")
    print(f"messages to people      {messages:>8,}   (cell of {cell}: alerts, re-grades, summary)")
    print(f"wall time               {took:>8.1f} s  → {n / took:,.0f} signals/s")
    print(f"floor: Core insert      {floor:>8.3f} s  → ratio {took / floor:,.0f}×")


if __name__ == "__main__":
    main()
