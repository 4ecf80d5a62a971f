"""Intake throughput over HTTP, in batches of 500 and one signal per request, on SQLite and PostgreSQL.

The real app on uvicorn on 127.0.0.1, posted to with httpx, one request answered before the next; the
protocol is not started (the trigger is a no-op): this is intake alone — validation, dedup, targets,
triage, review cases, the timeline. The reports are rated reviews about twenty places, as a monitoring
feed sends them.

Floors, measured in the same run on a fresh store of the same kind:
- batches: a SQLAlchemy Core insert of the same signal rows, one transaction per 500 rows (what any
  intake must at least do per request). Goal: the batch rate is at least 0.25 of the floor's.
- one per request: a bare endpoint on the same uvicorn stack that inserts one signal row per request.
  Goal: at least 0.3 of its rate.

Run: .venv/bin/python bench/intake_throughput.py [--short] [--db sqlite postgresql]
"""

from __future__ import annotations

import argparse

from _harness import Row, fresh_store, review
from _intake import (
    bare_app,
    client,
    core_insert,
    intake_app,
    post_batches,
    post_each,
    postgres_available,
    print_rows,
    served,
)

from cellule.store import open_store

BATCH = 500
PLACES = [f"Hôtel n°{i}" for i in range(20)]
STORES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def reviews(n: int) -> list[dict]:
    return [review(i, target=PLACES[i % len(PLACES)]) for i in range(n)]


def warm_up(n: int) -> list[dict]:
    """Reviews of another place, sent first: imports, the kit's cache and the pool are warm, the places
    measured are still unknown (their incidents open, and are graded, in the measured run)."""
    return [review(10**6 + i, target="Échauffement") for i in range(n)]


def batch_rows(kind: str, n: int) -> Row:
    """HTTP batches of 500 against a Core insert of the same rows."""
    measure = f"HTTP batch intake (batches of {BATCH}) / Core insert, {STORES[kind]}"
    with fresh_store(kind) as url:
        sessions = open_store(url)
        floor = core_insert(sessions, reviews(n), per_transaction=BATCH)
        sessions.kw["bind"].dispose()
    with fresh_store(kind) as url:
        sessions = open_store(url)
        with (
            served(intake_app(sessions, channels={}, on_reported=lambda _o: None)) as base,
            client(base) as http,
        ):
            post_batches(http, warm_up(BATCH), batch=BATCH)
            took, _ = post_batches(http, reviews(n), batch=BATCH)
        sessions.kw["bind"].dispose()
    return Row.measured(measure, n / took, n / floor, unit="signals/s", at_least=0.25)


def single_rows(kind: str, n: int) -> Row:
    """One signal per request against a bare endpoint inserting one row per request."""
    measure = f"single-signal HTTP rate / bare endpoint (one row per request), {STORES[kind]}"
    with fresh_store(kind) as url:
        sessions = open_store(url)
        with served(bare_app(sessions)) as base, client(base) as http:
            post_each(http, "/bare", warm_up(20))
            floor = post_each(http, "/bare", reviews(n))
        sessions.kw["bind"].dispose()
    with fresh_store(kind) as url:
        sessions = open_store(url)
        with (
            served(intake_app(sessions, channels={}, on_reported=lambda _o: None)) as base,
            client(base) as http,
        ):
            post_each(http, "/api/v1/signals", warm_up(20))
            took = post_each(http, "/api/v1/signals", reviews(n))
        sessions.kw["bind"].dispose()
    return Row.measured(measure, n / took, n / floor, unit="requests/s", at_least=0.3)


def rows(short: bool, stores: tuple[str, ...] = ("sqlite", "postgresql")) -> list[Row]:
    """`make bench`'s rows: short mode 2,000 signals in batches and 200 single requests per store."""
    batched, single = (2_000, 200) if short else (10_000, 1_000)
    found = []
    for kind in stores:
        why = postgres_available() if kind == "postgresql" else None
        if why is not None:
            found += [Row.not_measured(f"HTTP intake, {STORES[kind]}", why, goal="≥ 0.25, ≥ 0.3")]
            continue
        found += [batch_rows(kind, batched), single_rows(kind, single)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="2,000 signals and 200 requests per store")
    parser.add_argument("--db", nargs="+", default=list(STORES), choices=list(STORES))
    args = parser.parse_args()
    print_rows(rows(args.short, tuple(args.db)))


if __name__ == "__main__":
    main()
