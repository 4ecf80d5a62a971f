"""How long a person waits at the command line: read-only commands, and an act until its confirmation.

Each command runs as typed (`.venv/bin/cellule …`, a fresh interpreter) on a throw-away data folder and
SQLite store with the hotel kit and one incident. Floors, measured in the same run:
- for `cellule --help`, `incidents`, `show REF`: `python -c "import typer, rich, sqlalchemy"`, what any
  Typer + Rich + SQLAlchemy command costs before doing anything (goal ≤ 2×);
- for an act (`cellule report`, a new review each time): a fresh interpreter that imports SQLAlchemy and
  commits one transaction on the same store (goal ≤ 3×). The act is timed until its confirmation line
  appears on stdout (read line by line), with a runner holding the lease (`cellule watch` is there: the
  act leaves its follow-ups to it) and with none (the act then runs them after its answer: the process is
  stopped once the confirmation is read, so the follow-ups' own cost is not counted).
Median of a few runs each.

Run: .venv/bin/python bench/cli_latency.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _harness import Row, fresh_store

from cellule.reporting import report_attacks
from cellule.runner import holding_lease
from cellule.store import open_store
from flows.intake.reports import parse_report
from flows.runtime import Runtime

CELLULE = str(Path(sys.executable).parent / "cellule")
TRANSACTION = (
    "import sys; from sqlalchemy import create_engine, text; engine = create_engine(sys.argv[1])\n"
    "with engine.begin() as conn: conn.execute(text('UPDATE incidents SET ref = ref WHERE id = 1'))"
)


def wall(command: list[str], env: dict[str, str]) -> float:
    """Seconds until the command exits (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def until_line(command: list[str], env: dict[str, str], marker: str) -> float:
    """Seconds until a stdout line containing `marker` is read; the process is then left to finish (a
    runner holds the lease) or stopped (its follow-ups are not what is measured)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if marker in line:
                return time.perf_counter() - start
        raise RuntimeError(f"{' '.join(command[1:])}: no line with {marker!r} (exit {process.wait()})")
    finally:
        process.terminate()
        process.wait()


def median_of(runs: int, measure: Callable[[int], float]) -> float:
    measure(-1)  # warm the file cache: the first run of a fresh checkout is not what a person types twice
    return statistics.median(measure(n) for n in range(runs))


def rows(short: bool) -> list[Row]:
    runs = 5 if short else 15
    with fresh_store("sqlite") as url:
        runtime = Runtime(sessions=open_store(url), channels={})
        [opened] = report_attacks(
            runtime, [parse_report({"target": "Hôtel des Lilas", "text": "Sale."})], source="cli"
        )
        runtime.sessions.kw["bind"].dispose()
        data_dir = Path(tempfile.mkdtemp(prefix="cellule-bench-cli-"))
        env = os.environ | {"CELLULE_DATABASE_URL": url, "CELLULE_DATA_DIR": str(data_dir), "COLUMNS": "120"}
        env.pop("CELLULE_SLACK_BOT_TOKEN", None)

        imports = median_of(
            runs, lambda _: wall([sys.executable, "-c", "import typer, rich, sqlalchemy"], env)
        )
        found = []
        for label, args in (
            ("`cellule --help`", ["--help"]),
            ("`cellule incidents`", ["incidents"]),
            (f"`cellule show {opened.incident_ref}`", ["show", opened.incident_ref]),
        ):
            took = median_of(runs, lambda _, args=args: wall([CELLULE, *args], env))
            found.append(
                Row.measured(f"{label} wall / import typer, rich, sqlalchemy", took, imports, at_most=2)
            )

        one_transaction = median_of(runs, lambda _: wall([sys.executable, "-c", TRANSACTION, url], env))

        def act(n: int, tag: str) -> float:
            review = ["--target", "Hôtel des Lilas", "--id", f"{tag}-{n}", "--text", f"Avis {n}."]
            return until_line([CELLULE, "report", *review], env, "CRI-")

        with holding_lease(data_dir, "watch"):
            with_runner = median_of(runs, lambda n: act(n, "runner"))
        (data_dir / "runner.nudges").unlink(missing_ok=True)
        alone = median_of(runs, lambda n: act(n, "alone"))
    measure = "`cellule report` until its confirmation / one store transaction in a fresh interpreter"
    found.append(Row.measured(f"{measure} (runner live)", with_runner, one_transaction, at_most=3))
    found.append(Row.measured(f"{measure} (no runner)", alone, one_transaction, at_most=3))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="fewer runs, as `make bench` does")
    args = parser.parse_args()
    for row in rows(args.short):
        print(f"{row.measure}: {row.value} (floor {row.floor}), ratio {row.ratio:.2f}, goal {row.goal}")


if __name__ == "__main__":
    main()
