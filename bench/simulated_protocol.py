"""How many simulated hours of protocol one wall-clock second runs (issue: surround).

A 72-hour escalation: a kit whose people take 12 hours to time out, with two reminders, and a cell where
nobody ever answers, so every role runs through its primary and backup (2 × 36 h) before it is a gap.
The same steps are then run as plain functions (no Prefect) as the floor, in the same process and store
kind; the ratio is Prefect's orchestration cost on top of Cellule's own work.

Run: .venv/bin/python bench/simulated_protocol.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml
from _harness import Row  # sets the project on sys.path and configures Prefect first

from cellule.engine import run_protocol
from cellule.reporting import report_attacks
from cellule.store import open_store, upgrade_database
from flows.drill.scripted import Behaviour, ScriptedPeople
from flows.intake.reports import parse_report
from flows.kit.loading import example_kit_path, load_kit
from flows.kit.schema import Kit
from flows.outbox import send_notifications
from flows.runtime import Runtime, SimulatedClock, SimulatedWaiter, use_runtime
from flows.surround.flow import advance_the_cell
from models import transaction
from notifications import ConsoleChannel

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
REVIEW = {
    "target": "Hôtel des Lilas",
    "platform": "google",
    "external_id": "bench",
    "rating": 1,
    "text": "Sale.",
}


def slow_kit() -> Kit:
    document = yaml.safe_load(example_kit_path("hotel").read_text(encoding="utf-8"))
    for playbook in document["playbooks"].values():
        playbook["escalation"] = {
            "ack_timeout": "12h",
            "reminders": 2,
            "tiers": [["comms_lead"], ["executive"]],
        }
        playbook["reminders"] = {"every": "12h", "at_most": 5, "lead_role": "comms_lead"}
    return Kit.model_validate(document)


def fresh_runtime(template: Path, workdir: Path, n: int) -> tuple[Runtime, SimulatedClock, int]:
    path = workdir / f"run-{n}.db"
    path.write_bytes(template.read_bytes())
    sessions = open_store(f"sqlite:///{path}")
    clock = SimulatedClock(T0)
    people = ScriptedPeople(ConsoleChannel(io.StringIO()), clock, sessions, default=Behaviour("silent"))
    runtime = Runtime(
        sessions=sessions, channels={"console": people}, clock=clock, waiter=SimulatedWaiter(clock)
    )
    [outcome] = report_attacks(runtime, [parse_report(REVIEW)], source="cli")
    return runtime, clock, outcome.incident_id


def plain_surround(runtime: Runtime, incident_id: int) -> None:
    """The surround loop's steps called as plain functions: the floor."""
    with use_runtime(runtime):
        while True:
            progress = advance_the_cell.fn(incident_id)
            send_notifications.fn(incident_id)
            if progress.assembled or progress.next_deadline is None:
                return
            runtime.waiter.wait_until(lambda: False, progress.next_deadline)  # type: ignore[union-attr]


def measure(repeat: int) -> tuple[float, float, float]:
    """Median simulated hours, wall seconds under Prefect, and wall seconds of the plain floor."""
    workdir = Path(tempfile.mkdtemp(prefix="cellule-bench-store-"))
    template = workdir / "template.db"
    upgrade_database(f"sqlite:///{template}")
    kit = slow_kit()
    sessions = open_store(f"sqlite:///{template}")
    with transaction(sessions) as session:
        load_kit(session, kit=kit, source="bench", sha256=hashlib.sha256(b"bench").hexdigest())
    sessions.kw["bind"].dispose()  # closing the last connection checkpoints the WAL into the file we copy

    warm, _, warm_id = fresh_runtime(template, workdir, 0)
    run_protocol(warm, warm_id)  # starts Prefect's ephemeral server: not what we measure

    flows_s, floor_s, spans = [], [], []
    for n in range(repeat):
        runtime, clock, incident_id = fresh_runtime(template, workdir, 2 * n + 1)
        start = time.perf_counter()
        run_protocol(runtime, incident_id)
        flows_s.append(time.perf_counter() - start)
        spans.append((clock.now() - T0).total_seconds() / 3600)

        runtime, clock, incident_id = fresh_runtime(template, workdir, 2 * n + 2)
        start = time.perf_counter()
        plain_surround(runtime, incident_id)
        floor_s.append(time.perf_counter() - start)
    return statistics.median(spans), statistics.median(flows_s), statistics.median(floor_s)


def rows(short: bool) -> list[Row]:
    """`make bench`: 2 repeats (short) or 5 (full); no goal in issue 13, the ratio is reported."""
    hours, wall, floor = measure(2 if short else 5)
    return [
        Row.measured(
            f"{hours:.0f} h simulated escalation under Prefect / same steps as plain functions", wall, floor
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    hours, wall, floor = measure(args.repeat)
    print(f"simulated protocol span       {hours:8.1f} h (every role exhausts primary and backup)")
    print(f"crisis_response under Prefect {wall:8.3f} s wall (median of {args.repeat})")
    print(f"  → {hours / wall:8.1f} simulated hours per wall-clock second")
    print(f"floor: same steps, no Prefect {floor:8.3f} s wall  → {hours / floor:8.1f} h/s")
    print(f"ratio (Prefect run / floor)   {wall / floor:8.2f}×")


if __name__ == "__main__":
    main()
