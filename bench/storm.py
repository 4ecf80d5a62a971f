"""Storm control: ten thousand reviews of one hotel within ten minutes, posted over HTTP in batches of 500.

Expected: one incident, every signal linked to it, and a bounded number of messages to people — the cell
is alerted when the incident opens and again only when its severity or type changes, never once per
signal. The real app runs on uvicorn on 127.0.0.1 and the protocol runs in its process, in the
background, as the embedded default does; the bench posts with httpx, each batch answered before the
next, then waits (bounded) until the protocol runs it started are done and reads the store.

Wall: from the first batch sent to the last one answered (what the sender waits for). Floor, measured in
the same run on a fresh store of the same kind: a Core insert of the same number of signal rows, in one
transaction. Goal: wall ≤ 50× the floor, still one incident, at most 10 messages per person.

Run: .venv/bin/python bench/storm.py [--short] [--signals 10000] [--db sqlite postgresql]
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import sys
import threading
import time

from _harness import Row, fresh_store, review
from _intake import client, core_insert, intake_app, post_batches, postgres_available, print_rows, served
from sqlalchemy import func, select

from cellule.store import open_store
from cellule.triggers import in_process
from flows.runtime import Runtime
from models import Incident, Notification, Signal, transaction
from notifications import ConsoleChannel

BATCH = 500
STORES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PROTOCOL_BUDGET = 600  # seconds the protocol's runs may take after the storm before the bench gives up


class Finished:
    """Counts the background calls that started the protocol and have returned."""

    def __init__(self, trigger) -> None:  # type: ignore[no-untyped-def]
        self.trigger, self.done, self.lock = trigger, 0, threading.Condition()

    def __call__(self, outcomes) -> None:  # type: ignore[no-untyped-def]
        try:
            self.trigger(outcomes)
        finally:
            with self.lock:
                self.done += 1
                self.lock.notify_all()

    def wait_for(self, calls: int) -> bool:
        with self.lock:
            return self.lock.wait_for(lambda: self.done >= calls, timeout=PROTOCOL_BUDGET)


def storm(kind: str, n: int) -> Row:
    measure = f"{n:,}-review storm (one hotel, HTTP batches of {BATCH}) / Core insert, {STORES[kind]}"
    reviews = [review(i, minute=i * 10 // n) for i in range(n)]  # all within ten minutes
    with fresh_store(kind) as url:
        sessions = open_store(url)
        floor = core_insert(sessions, reviews, per_transaction=n)
        sessions.kw["bind"].dispose()
    with fresh_store(kind) as url:
        sessions = open_store(url)
        runtime = Runtime(sessions=sessions, channels={"console": ConsoleChannel(io.StringIO())})
        finished = Finished(in_process(runtime))
        app = intake_app(sessions, channels=runtime.channels, on_reported=finished)
        with served(app) as base, client(base) as http:
            took, answered_new = post_batches(http, reviews, batch=BATCH)
            start = time.perf_counter()
            settled = finished.wait_for(answered_new)
            protocol = time.perf_counter() - start
        facts = _facts(sessions)
        sessions.kw["bind"].dispose()
    print(
        f"{STORES[kind]}: {n:,} reviews in {took:.1f} s ({n / took:,.0f}/s); then the protocol "
        f"{'finished' if settled else 'had not finished'} {protocol:.1f} s later; {facts}",
        file=sys.stderr,
    )
    row = Row.measured(measure, took, floor, at_most=50)
    ok = settled and facts["incidents"] == 1 and facts["linked"] == n and facts["most_per_person"] <= 10
    said = (
        f"{facts['incidents']} incident ({facts['kind']}, {facts['severity']}), {facts['linked']:,} linked, "
        f"≤ {facts['most_per_person']} messages per person ({facts['messages']} in all)"
    )
    return dataclasses.replace(row, measure=f"{measure} — {said}", met=bool(row.met and ok))


def _facts(sessions) -> dict:  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        per_person = session.execute(
            select(Notification.person_id, func.count()).group_by(Notification.person_id)
        ).all()
        incidents = session.execute(select(Incident.attack_type, Incident.severity)).all()
        return {
            "incidents": len(incidents),
            "kind": incidents[0][0].value if incidents else "—",
            "severity": incidents[0][1].value if incidents else "—",
            "linked": session.scalar(select(func.count()).where(Signal.incident_id.is_not(None))),
            "messages": sum(n for _, n in per_person),
            "most_per_person": max((n for _, n in per_person), default=0),
        }


def rows(short: bool, stores: tuple[str, ...] = tuple(STORES), signals: int = 10_000) -> list[Row]:
    """`make bench`'s rows: the storm on SQLite (the embedded default); the full mode adds PostgreSQL."""
    found = []
    for kind in stores if not short else ("sqlite",):
        why = postgres_available() if kind == "postgresql" else None
        if why is not None:
            found.append(Row.not_measured(f"storm, {STORES[kind]}", why, goal="≤ 50×"))
            continue
        found.append(storm(kind, signals))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="SQLite only")
    parser.add_argument("--signals", type=int, default=10_000)
    parser.add_argument("--db", nargs="+", default=list(STORES), choices=list(STORES))
    args = parser.parse_args()
    print_rows(rows(args.short, tuple(args.db), args.signals))


if __name__ == "__main__":
    main()
