"""How fast simulated drills run: a series against its plain-function floor, the floor itself, and proof
that the fast path scores exactly like the orchestrated one.

One drill is the built-in `fake-review` scenario (72 h at most, resolved within hours) against the hotel
kit. Floor: the same seeds, each played by `play()` in a fresh store with every flow and task called as
the plain function it wraps — Cellule's own work (store, scripted people, scoring), no Prefect at all.
Measured: `cellule drill run fake-review --runs N` as the command plays it — one `drill-series` flow
run, one task per run, artifacts, journal rows — against N floors measured in the same run.
Proof: for a few seeds, one orchestrated run (every phase its own Prefect flow run, as `--runs 1` plays
it) and the same seed in a fast series give the same outcome (journal, results, events, post-mortem).

Run: .venv/bin/python bench/drill_speed.py [--short]     (short: 20 runs, 2 seeds proven; full: 100, 3)
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from _harness import Row, fresh_store

from cellule.prefect_env import quiet_flow_runs
from cellule.scratch import scratch_stores
from cellule.store import open_store
from flows.drill.plain import plain_protocol
from flows.drill.scenario import find_scenario, read_scenario
from flows.drill.series import FreshStore, run_series
from flows.drill.simulated import play
from flows.kit.loading import example_kit_path, read_kit
from flows.kit.schema import Kit

SCENARIO = "fake-review"
FLOOR_GOAL = 0.2  # seconds per drill
SERIES_GOAL = 1.5  # × the floor
PROVEN_SEEDS = {True: (0, 1), False: (0, 1, 2)}


def floors(fresh: FreshStore, kit: Kit, seeds: range) -> tuple[float, float]:
    """Wall and CPU seconds to play every seed as plain functions, each in a fresh store: the floor.
    (CPU time says what the floor would be on a quiet machine: this one is shared.)"""
    scenario = read_scenario(find_scenario(SCENARIO))
    wall, cpu = time.perf_counter(), time.process_time()
    for seed in seeds:
        with fresh() as sessions, plain_protocol():
            play(scenario, kit, seed=seed, sessions=sessions, kit_sha256="bench")
    return time.perf_counter() - wall, time.process_time() - cpu


def rows(short: bool) -> list[Row]:
    """The drill rows of `make bench`: a series against its floor, the floor per drill, the proof."""
    runs = 20 if short else 100
    scenario = read_scenario(find_scenario(SCENARIO))
    kit = read_kit(example_kit_path("hotel"))
    with scratch_stores() as fresh, quiet_flow_runs(), fresh_store("sqlite") as url:
        journal = open_store(url)
        common = {"scenario": scenario, "kit": kit, "kit_sha256": "bench", "fresh": fresh}
        print("drills: warming up (Prefect's ephemeral server starts)…", file=sys.stderr)
        run_series(journal, seeds=range(2), **common)
        floors(fresh, kit, range(2))
        print(f"drills: {runs} plain-function floors…", file=sys.stderr)
        floor_s, floor_cpu = floors(fresh, kit, range(runs))
        print(f"drills: a series of {runs} runs…", file=sys.stderr)
        start = time.perf_counter()
        run_series(journal, seeds=range(runs), **common)
        series_s = time.perf_counter() - start
        seeds = PROVEN_SEEDS[short]
        print(f"drills: seeds {seeds} orchestrated, then fast…", file=sys.stderr)
        start = time.perf_counter()
        orchestrated = [run_series(journal, seeds=[s], orchestrated=True, **common) for s in seeds]
        orchestrated_s = (time.perf_counter() - start) / len(seeds)
        fast = run_series(journal, seeds=seeds, **common)
    same = [
        dataclasses.asdict(o.outcomes[0]) == dataclasses.asdict(f)
        for o, f in zip(orchestrated, fast.outcomes, strict=True)
    ]
    per_drill = floor_s / runs
    return [
        Row.measured(
            f"{runs} simulated runs of {SCENARIO} / {runs} plain-function floors",
            series_s,
            floor_s,
            at_most=SERIES_GOAL,
        ),
        Row(
            "floor per drill (plain functions, in-memory store)",
            f"{per_drill * 1000:.0f} ms",
            "—",
            None,
            f"≤ {FLOOR_GOAL * 1000:.0f} ms",
            per_drill <= FLOOR_GOAL,
        ),
        Row("floor per drill, CPU time", f"{floor_cpu / runs * 1000:.0f} ms", "—", None, "—", None),
        Row.measured("one orchestrated drill (--runs 1) / its floor", orchestrated_s, per_drill),
        Row(
            f"fast path scores like the orchestrated one (seeds {', '.join(map(str, seeds))})",
            f"{sum(same)}/{len(same)} identical",
            "—",
            None,
            "all identical",
            all(same),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--short", action="store_true", help="20 runs and 2 seeds proven (make bench)")
    args = parser.parse_args()
    print("measure | value | floor | ratio | goal | met")
    for row in rows(args.short):
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        met = {True: "✓", False: "✗", None: "—"}[row.met]
        print(f"{row.measure} | {row.value} | {row.floor} | {ratio} | {row.goal} | {met}")


if __name__ == "__main__":
    main()
