"""`make bench`: every benchmark in bench/, short mode, one table of measure, floor, ratio and goal.

Each module's `rows(short)` (the contract is in `_harness.py`) runs in its own interpreter — benchmarks
configure Prefect at import and start servers, and one that crashes or hangs must not take the others
with it. A module without rows(), one that fails, or one past its time budget is a "not measured" row
saying why. The table is the order of issue 13's goals; any other module in bench/ follows.

Run: .venv/bin/python bench/run_all.py [--full] [--only cli_latency,storm] [--budget 900]
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ORDER = (
    "cli_latency",
    "intake_throughput",
    "storm",
    "drill_speed",
    "alert_latency",
    "workers",
    "background_tasks",
    "simulated_protocol",
    "postmortem_render",
)


def modules() -> list[str]:
    """Every benchmark module: the goals' order first, then any other module in bench/."""
    found = {path.stem for path in BENCH_DIR.glob("*.py") if not path.stem.startswith("_")}
    found.discard("run_all")
    return [name for name in ORDER if name in found] + sorted(found - set(ORDER))


def measure_one(name: str, *, short: bool, out: Path) -> None:
    """In the child interpreter: import one module, call its rows(), write them as JSON to `out`."""
    sys.path.insert(0, str(BENCH_DIR))
    from _harness import Row

    module = importlib.import_module(name)
    rows = getattr(module, "rows", None)
    if rows is None:
        found = [Row.not_measured(name, "the module has no rows(short) yet")]
    else:
        found = list(rows(short))
    out.write_text(json.dumps([dataclasses.asdict(row) for row in found]), encoding="utf-8")


def run_module(name: str, *, short: bool, budget: float) -> list[dict]:
    """Run one module's rows() in a child interpreter; its rows, or one row saying why there are none."""
    with tempfile.TemporaryDirectory(prefix="cellule-bench-rows-") as tmp:
        out = Path(tmp) / "rows.json"
        command = [sys.executable, __file__, "--child", name, "--out", str(out)]
        if not short:
            command.append("--full")
        print(f"… {name}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            done = subprocess.run(
                command, cwd=BENCH_DIR.parent, timeout=budget, capture_output=True, text=True
            )
        except subprocess.TimeoutExpired:
            return [_missing(name, f"over its {budget:.0f} s budget")]
        took = time.perf_counter() - start
        print(f"  {name}: {took:.0f} s", file=sys.stderr, flush=True)
        if done.returncode != 0 or not out.exists():
            lines = (done.stderr or done.stdout or "no output").strip().splitlines()
            return [_missing(name, f"failed: {lines[-1] if lines else 'no output'}")]
        return json.loads(out.read_text(encoding="utf-8"))


def _missing(name: str, why: str) -> dict:
    return {
        "measure": name,
        "value": f"not measured: {why}",
        "floor": "—",
        "ratio": None,
        "goal": "—",
        "met": None,
    }


def print_table(results: dict[str, list[dict]], *, short: bool, took: float) -> None:
    """The one table: measure, value, floor, ratio, goal, ✓ or ✗."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"make bench ({'short' if short else 'full'} mode, {took / 60:.1f} min)")
    for column in ("measure", "value", "floor (same run)", "ratio", "goal", ""):
        table.add_column(column, overflow="fold")
    for name, rows in results.items():
        for row in rows:
            ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}"
            mark = {True: "[green]✓[/]", False: "[red]✗[/]", None: "·"}[row["met"]]
            table.add_row(row["measure"], row["value"], row["floor"], ratio, row["goal"], mark)
        if name != list(results)[-1]:
            table.add_section()
    Console(width=160).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="each module's full mode (hours, not minutes)")
    parser.add_argument("--only", help="comma-separated module names")
    parser.add_argument("--budget", type=float, default=900, help="seconds per module before it is cut")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure_one(args.child, short=not args.full, out=args.out)
        return
    names = args.only.split(",") if args.only else modules()
    start = time.perf_counter()
    results = {name: run_module(name, short=not args.full, budget=args.budget) for name in names}
    print_table(results, short=not args.full, took=time.perf_counter() - start)


if __name__ == "__main__":
    main()
