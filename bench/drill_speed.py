"""How fast a simulated drill runs: simulated hours per wall-clock second, and the wall time of a series.

One drill is the built-in `fake-review` scenario (72 h at most, resolved within hours) against the hotel
kit, played as `cellule drill run` plays it: a fresh store, scripted people, the real flows under Prefect.
Floor: the same drill with the same seed, every Prefect flow and task called as the plain function it
wraps — Cellule's own work (store, scripted people, scoring) without the orchestration. Then a series of
`--runs` seeds, as `cellule drill run fake-review --runs N` does, journal included.

Run: .venv/bin/python bench/drill_speed.py [--runs 100] [--repeat 3] [--scenario fake-review]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from unittest.mock import patch

from _harness import fresh_store
from prefect.flows import Flow
from prefect.tasks import Task

from cellule.prefect_env import quiet_flow_runs
from cellule.scratch import scratch_stores
from cellule.store import open_store
from flows.drill.scenario import find_scenario, read_scenario
from flows.drill.series import run_series
from flows.drill.simulated import DrillOutcome, play
from flows.kit.loading import example_kit_path, read_kit


@contextmanager
def without_prefect() -> Iterator[None]:
    """Call every flow and task as its plain function: the floor's protocol, step for step."""
    with (
        patch.object(Flow, "__call__", lambda self, *a, **k: self.fn(*a, **k)),
        patch.object(Task, "__call__", lambda self, *a, **k: self.fn(*a, **k)),
    ):
        yield


def simulated_hours(outcome: DrillOutcome) -> float:
    """From the first signal to the drill's last event."""
    return max(int(e["at"]) for e in outcome.events) / 3600  # type: ignore[call-overload]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="fake-review")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scenario = read_scenario(find_scenario(args.scenario))
    kit = read_kit(example_kit_path(scenario.scenario.kit or "hotel"))

    with scratch_stores() as fresh, quiet_flow_runs():

        def one(seed: int) -> tuple[float, DrillOutcome]:
            with fresh() as sessions:
                start = time.perf_counter()
                outcome = play(scenario, kit, seed=seed, sessions=sessions, kit_sha256="bench")
                return time.perf_counter() - start, outcome

        one(0)  # starts Prefect's ephemeral server: not what we measure
        flows = [one(0) for _ in range(args.repeat)]
        with without_prefect():
            floor = [one(0) for _ in range(args.repeat)]
        assert flows[0][1].results == floor[0][1].results, "the floor must play the same drill"

        with fresh_store("sqlite") as url:
            journal = open_store(url)
            start = time.perf_counter()
            series = run_series(
                journal, scenario=scenario, kit=kit, kit_sha256="bench", seeds=range(args.runs), fresh=fresh
            )
            series_s = time.perf_counter() - start

    hours = simulated_hours(flows[0][1])
    wall, floor_s = statistics.median(w for w, _ in flows), statistics.median(w for w, _ in floor)
    print(f"scenario {scenario.name}: {hours:.1f} simulated hours (seed 0), {flows[0][1].rating.value}")
    print(f"one drill under Prefect        {wall:8.3f} s wall (median of {args.repeat})")
    print(f"  → {hours / wall:8.1f} simulated hours per wall-clock second")
    print(f"floor: same drill, no Prefect  {floor_s:8.3f} s wall  → {hours / floor_s:8.1f} h/s")
    print(f"ratio (Prefect / floor)        {wall / floor_s:8.2f}×")
    runs = series.summary.runs
    print(f"--runs {runs}: {series_s:8.1f} s wall ({series_s / runs:.2f} s per run, journal included)")
    print(f"  ratio to {runs} × the floor    {series_s / (runs * floor_s):8.2f}×")


if __name__ == "__main__":
    main()
