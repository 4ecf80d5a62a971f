"""Intake throughput through the HTTP API, one signal per request and in batches, on SQLite and PostgreSQL.

Floor: a raw SQLAlchemy Core insert of the same rows into the same `signals` table (no validation, no
dedup, no triage, no HTTP). The ratio says what the whole intake path costs on top of writing the rows.
The protocol is not started (the trigger is a no-op): this measures intake alone.

Run: .venv/bin/python bench/intake_throughput.py [--signals 400] [--batch 100] [--db sqlite postgresql]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from datetime import UTC, datetime

from _harness import app_client, fresh_store, review
from sqlalchemy import insert, select

from cellule.store import open_store
from models import Signal, Target, transaction


def raw_insert(url: str, n: int) -> float:
    sessions = open_store(url)
    now = datetime.now(UTC)
    with transaction(sessions) as session:
        session.add(Target(key="floor", name="Floor"))
        session.flush()
        target_id = session.scalar(select(Target.id).where(Target.key == "floor"))
    rows = [
        {
            "dedup_key": hashlib.sha256(f"floor-{i}".encode()).hexdigest(),
            "target_id": target_id,
            "source": "api",
            "platform": "google",
            "external_id": f"floor-{i}",
            "rating": 1,
            "text": f"Avis numéro {i}",
            "observed_at": now,
            "received_at": now,
            "is_drill": False,
        }
        for i in range(n)
    ]
    start = time.perf_counter()
    with sessions.kw["bind"].begin() as conn:
        conn.execute(insert(Signal), rows)
    return time.perf_counter() - start


def through_api(url: str, n: int, batch: int | None) -> float:
    client = app_client(open_store(url), channels={}, on_reported=lambda _outcomes: None)
    targets = [f"Hôtel n°{i}" for i in range(20)]  # a few places, as a monitoring feed would send
    signals = [review(i, target=targets[i % len(targets)]) for i in range(n)]
    start = time.perf_counter()
    if batch is None:
        for signal in signals:
            assert client.post("/api/v1/signals", json=signal).status_code == 201
    else:
        for i in range(0, n, batch):
            assert (
                client.post("/api/v1/signals/batch", json={"signals": signals[i : i + batch]}).status_code
                == 201
            )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=400)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    n = args.signals
    print(f"{'store':<11}{'path':<22}{'signals/s':>12}{'ratio to floor':>16}")
    for kind in args.db:
        with fresh_store(kind) as url:
            floor = raw_insert(url, n)
        print(f"{kind:<11}{'floor: Core insert':<22}{n / floor:>12,.0f}{1:>15.1f}×")
        for label, batch in (("API, one per request", None), (f"API, batches of {args.batch}", args.batch)):
            with fresh_store(kind) as url:
                took = through_api(url, n, batch)
            print(f"{kind:<11}{label:<22}{n / took:>12,.0f}{took / floor:>15.1f}×")


if __name__ == "__main__":
    main()
