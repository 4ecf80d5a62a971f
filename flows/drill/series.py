"""Running a scenario many times, one seed after another, and writing each run to the journal.

The people's delays and absences are random: one run is an anecdote, a series is a measure ("if the
lawyer is on holiday, approval takes 5 h in 40 % of cases"). Each run plays in its own empty store
(`fresh`, given by the front door); only its journal row reaches the real store.

A series is one Prefect flow run, `drill-series`, with one task per run: each run plays the protocol's
flows as plain functions (`flows.drill.plain`), its progress and the series' results shown as
artifacts in the Prefect UI. A single orchestrated run (`orchestrated=True`) plays every phase as its
own flow run instead, as an incident would; both score a seed alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from prefect import Flow, flow, task
from prefect.artifacts import create_progress_artifact, create_table_artifact, update_progress_artifact
from prefect.cache_policies import NO_CACHE
from sqlalchemy.orm import Session, sessionmaker

from flows.drill.journal import SeriesSummary, drills_of_series, new_series, record_simulated, series_summary
from flows.drill.plain import plain_protocol
from flows.drill.scenario import Scenario
from flows.drill.simulated import DrillOutcome, play
from flows.exit_on_top.library_carry import CarriedText
from flows.kit.schema import Kit
from models import transaction, utc_now

FreshStore = Callable[[], AbstractContextManager[sessionmaker[Session]]]


@dataclass(frozen=True)
class Series:
    id: str
    outcomes: list[DrillOutcome]
    summary: SeriesSummary


def run_series(
    journal: sessionmaker[Session],
    *,
    scenario: Scenario,
    kit: Kit,
    kit_sha256: str,
    seeds: Iterable[int],
    fresh: FreshStore,
    after_each: Callable[[DrillOutcome], None] = lambda _: None,
    series: str | None = None,
    orchestrated: bool = False,
    library: Sequence[CarriedText] = (),
) -> Series:
    """Play the scenario once per seed, each in a fresh store; journal every run in `journal` under
    `series` (a new id unless given). One `drill-series` flow run, unless `orchestrated`. `library`: the
    approved statement library each run starts with."""
    series, seeds = series or new_series(), list(seeds)

    def one(seed: int) -> DrillOutcome:
        started = utc_now()
        with fresh() as sessions, nullcontext() if orchestrated else plain_protocol():
            outcome = play(
                scenario, kit, seed=seed, sessions=sessions, kit_sha256=kit_sha256, library=library
            )
        with transaction(journal) as session:
            record_simulated(
                session,
                outcome=outcome,
                scenario=scenario,
                series=series,
                kit_sha256=kit_sha256,
                started_at=started,
                ended_at=utc_now(),
            )
        after_each(outcome)
        return outcome

    if orchestrated:
        outcomes = [one(seed) for seed in seeds]
    else:
        outcomes = _series_flow(one)(scenario.name, len(seeds), seeds, series=series, kit_sha256=kit_sha256)
    with transaction(journal) as session:
        summary = series_summary(drills_of_series(session, series))
    return Series(series, outcomes, summary)


def _series_flow(one: Callable[[int], DrillOutcome]) -> Flow[..., list[DrillOutcome]]:
    """The `drill-series` flow for this series: its parameters are what the UI shows (the stores,
    kit and journal stay in this process)."""
    play_one = task(name="drill-run", task_run_name="seed {seed}", cache_policy=NO_CACHE)(one)

    @flow(name="drill-series", flow_run_name="{scenario} ×{runs}", validate_parameters=False)
    def drill_series(
        scenario: str, runs: int, seeds: list[int], series: str, kit_sha256: str
    ) -> list[DrillOutcome]:
        progress = create_progress_artifact(0.0, description=f"Runs of {scenario} played (series {series})")
        outcomes = []
        for seed in seeds:
            outcomes.append(play_one(seed))
            update_progress_artifact(progress, 100 * len(outcomes) / runs)
        create_table_artifact(
            results_table(outcomes),
            key=artifact_key(scenario),
            description=f"{len(outcomes)} runs of {scenario}, series {series}: each run's targets",
        )
        return outcomes

    return drill_series


def results_table(outcomes: list[DrillOutcome]) -> list[dict[str, object]]:
    """One row per run: its seed, rating, who was away, and each target met (✓) or missed (✗)."""
    return [
        {
            "seed": o.seed,
            "rating": o.rating.value,
            "absent": ", ".join(o.absent) or "—",
            **{r.key: "✓" if r.met else "✗" for r in o.results},
        }
        for o in outcomes
    ]


def artifact_key(scenario: str) -> str:
    """Prefect keys take lowercase letters, digits and dashes only."""
    return "drill-series-" + (re.sub(r"[^a-z0-9]+", "-", scenario.lower()).strip("-") or "scenario")
