"""Running a scenario many times, one seed after another, and writing each run to the journal.

The people's delays and absences are random: one run is an anecdote, a series is a measure ("if the
lawyer is on holiday, approval takes 5 h in 40 % of cases"). Each run plays in its own empty store
(`fresh`, given by the front door); only its journal row reaches the real store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from flows.drill.journal import SeriesSummary, drills_of_series, new_series, record_simulated, series_summary
from flows.drill.scenario import Scenario
from flows.drill.simulated import DrillOutcome, play
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
) -> Series:
    """Play the scenario once per seed, each in a fresh store; journal every run in `journal` under
    `series` (a new id unless given)."""
    series, outcomes = series or new_series(), []
    for seed in seeds:
        started = utc_now()
        with fresh() as sessions:
            outcome = play(scenario, kit, seed=seed, sessions=sessions, kit_sha256=kit_sha256)
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
        outcomes.append(outcome)
        after_each(outcome)
    with transaction(journal) as session:
        summary = series_summary(drills_of_series(session, series))
    return Series(series, outcomes, summary)
