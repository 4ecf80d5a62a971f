"""A series of simulated runs: one Prefect flow run, the protocol played as plain functions, scored
exactly as the orchestrated run of the same seed."""

from __future__ import annotations

import dataclasses
import json

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, FlowFilter, FlowFilterName
from sqlalchemy import select

from cellule.store import open_store
from flows.drill.plain import plain_protocol
from flows.drill.scenario import find_scenario, read_scenario
from flows.drill.series import run_series
from flows.drill.simulated import play
from models import Drill, transaction

pytestmark = pytest.mark.usefixtures("prefect_server")

FAKE_REVIEW = read_scenario(find_scenario("fake-review"))


def played_plain(fresh, kit, seed: int):
    with fresh() as sessions, plain_protocol():
        return play(FAKE_REVIEW, kit, seed=seed, sessions=sessions, kit_sha256="test")


def test_the_fast_path_replays_a_seed_and_another_seed_plays_another_run(fresh, hotel_kit):
    first, again, other = (played_plain(fresh, hotel_kit, seed) for seed in (3, 3, 4))
    assert dataclasses.asdict(first) == dataclasses.asdict(again)
    assert first.events != other.events


def journal_rows(sqlite_url: str, series: str) -> list[tuple[object, ...]]:
    with transaction(open_store(sqlite_url)) as session:
        drills = session.scalars(select(Drill).where(Drill.series == series).order_by(Drill.seed))
        return [(d.seed, d.rating, d.results, d.events, d.absent, d.report_markdown) for d in drills]


def test_a_series_scores_each_seed_exactly_as_the_orchestrated_run_of_that_seed(sqlite_url, fresh, hotel_kit):
    journal = open_store(sqlite_url)
    common = {"scenario": FAKE_REVIEW, "kit": hotel_kit, "kit_sha256": "test", "fresh": fresh}
    # Two seeds, two different runs: each played under full orchestration, then both in one fast series.
    orchestrated = [
        run_series(journal, seeds=[seed], orchestrated=True, series=f"orchestrated-{seed}", **common)
        for seed in (2, 5)
    ]
    fast = run_series(journal, seeds=[2, 5], series="fast", **common)
    assert [dataclasses.asdict(o) for o in fast.outcomes] == [
        dataclasses.asdict(s.outcomes[0]) for s in orchestrated
    ]
    assert journal_rows(sqlite_url, "fast") == [
        *journal_rows(sqlite_url, "orchestrated-2"),
        *journal_rows(sqlite_url, "orchestrated-5"),
    ]


def test_a_series_is_one_flow_run_showing_each_runs_targets(sqlite_url, fresh, hotel_kit):
    with get_client(sync_client=True) as client:
        before = client.count_flow_runs()
        series = run_series(
            open_store(sqlite_url),
            scenario=FAKE_REVIEW,
            kit=hotel_kit,
            kit_sha256="test",
            seeds=range(3),
            fresh=fresh,
        )
        assert client.count_flow_runs() == before + 1  # not one per phase and per run
        [flow_run] = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["drill-series"])),
            sort="EXPECTED_START_TIME_DESC",
            limit=1,
        )
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id]))
        )
    assert flow_run.name == "fake-review ×3" and flow_run.parameters["series"] == series.id
    assert flow_run.state is not None and flow_run.state.is_completed()
    [table] = [a for a in artifacts if a.type == "table"]
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert [row["seed"] for row in rows] == [0, 1, 2]
    assert [row["rating"] for row in rows] == [o.rating.value for o in series.outcomes]
    [progress] = [a for a in artifacts if a.type == "progress"]
    assert progress.data == 100
