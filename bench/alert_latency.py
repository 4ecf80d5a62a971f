"""Latency from an accepted signal to the first Slack API call for the cell, over many incidents.

Each incident: a signal posted to the HTTP API (in-process app), the protocol run in this process (the
embedded default's trigger), the cell alerted through slack_sdk's WebClient to a fake Slack Web API on
loopback. Measured: from the POST to the first request the fake Slack receives. Floor, same run: insert
one row and call `chat.postMessage` directly with the same WebClient — what "store it and tell Slack"
costs with no protocol at all. Prefect's ephemeral server is started before measuring.

Run: .venv/bin/python bench/alert_latency.py [--incidents 50] [--db sqlite]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from _harness import RecordingSlack, Row, app_client, fresh_store, percentile, review

from cellule.store import open_store
from cellule.triggers import in_process
from flows.runtime import Runtime
from models import Target, transaction
from notifications import ConsoleChannel, SlackChannel, make_slack_client


def measure(incidents: int, db: str) -> tuple[float, float, float]:
    """p50 and p99 from an accepted signal to the first Slack call, and the floor's p50, in seconds."""
    slack = RecordingSlack()
    channel = SlackChannel(make_slack_client("xoxb-bench", slack.url))
    with fresh_store(db) as url:
        sessions = open_store(url)
        runtime = Runtime(
            sessions=sessions, channels={"slack": channel, "console": ConsoleChannel(io.StringIO())}
        )
        client = app_client(sessions, channels=runtime.channels, on_reported=in_process(runtime))
        client.post("/api/v1/signals", json=review(0, target="warm-up"))  # starts Prefect's ephemeral server

        latencies = []
        for n in range(1, incidents + 1):
            slack.arrivals.clear()
            start = time.time()
            response = client.post("/api/v1/signals", json=review(n, target=f"Hôtel n°{n}"))
            assert response.status_code == 201 and slack.arrivals, response.text
            latencies.append(slack.arrivals[0][0] - start)

        floors = []
        for n in range(incidents):
            start = time.perf_counter()
            with transaction(sessions) as session:
                session.add(Target(key=f"floor {n}", name=f"Floor {n}"))
            channel.client.chat_postMessage(channel="C0ROOM", text="floor")
            floors.append(time.perf_counter() - start)
    slack.server.stop()
    return percentile(latencies, 50), percentile(latencies, 99), statistics.median(floors)


def rows(short: bool) -> list[Row]:
    """`make bench`: 10 incidents on SQLite (short), 50 (full). The embedded default's latency; server
    mode's, the goal's measure, is bench/server_latency.py."""
    p50, p99, floor = measure(10 if short else 50, "sqlite")
    return [
        Row.measured(
            "embedded: accepted signal → first Slack call, p50 / insert + chat.postMessage", p50, floor
        ),
        Row.measured(
            "embedded: accepted signal → first Slack call, p99 / insert + chat.postMessage", p99, floor
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=50)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    p50, p99, floor = measure(args.incidents, args.db)
    print(f"incidents: {args.incidents} on {args.db}")
    print(f"signal accepted → first Slack call   p50 {p50 * 1000:8.1f} ms   p99 {p99 * 1000:8.1f} ms")
    print(f"floor: insert + chat.postMessage    p50 {floor * 1000:8.1f} ms")
    print(f"ratio p50 / floor                    {p50 / floor:8.1f}×")


if __name__ == "__main__":
    main()
