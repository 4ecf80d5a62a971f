"""Simulated drills: the real crisis flows, played by scripted people on the simulated clock."""

from __future__ import annotations

import dataclasses

import pytest

from flows.drill.plain import plain_protocol
from flows.drill.scenario import find_scenario, read_scenario
from flows.drill.scoring import Rating
from flows.drill.simulated import DrillOutcome, play
from flows.kit.loading import example_kit_path, read_kit
from tests.drill.scenarios import scenario
from tests.drill.test_scenarios import DOMAIN_CRISES

pytestmark = pytest.mark.usefixtures("prefect_server")


def run(fresh, played, kit, seed: int = 0) -> DrillOutcome:
    """One run as a series plays it: the protocol's flows as plain functions (test_series.py shows a
    seed scores the same under full orchestration)."""
    with fresh() as sessions, plain_protocol():
        return play(played, kit, seed=seed, sessions=sessions, kit_sha256="test")


def kinds(outcome: DrillOutcome) -> list[str]:
    return [str(e["kind"]) for e in outcome.events]


@pytest.mark.parametrize("name", sorted(DOMAIN_CRISES))
def test_every_built_in_scenario_plays_to_its_end(fresh, name):
    played = read_scenario(find_scenario(name))
    outcome = run(fresh, played, read_kit(example_kit_path(played.scenario.kit)))
    assert outcome.incident_ref.startswith("EXE-")  # an exercise incident, never a real one
    assert outcome.attack_type == DOMAIN_CRISES[name]
    assert "stumble" not in kinds(outcome), [e for e in outcome.events if e["kind"] == "stumble"]
    assert {
        "opened",
        "acknowledged",
        "draft_proposed",
        "approval",
        "statement_published",
        "exit_branch",
    } <= set(kinds(outcome))
    summaries = [str(e["summary"]) for e in outcome.events]
    assert "exiting → resolved" in summaries
    assert all(
        "simulated, not posted" in s
        for s, k in zip(summaries, kinds(outcome), strict=True)
        if k == "statement_published"
    )
    assert outcome.rating is not Rating.UNABLE
    assert (
        outcome.report_markdown and outcome.incident_ref in outcome.report_markdown
    )  # the drill's post-mortem


def test_the_same_seed_gives_the_same_journal_and_another_seed_another(fresh, hotel_kit):
    played = scenario(people=[{"who": "everyone", "acknowledge": {"median": "10m", "p90": "1h"}}])
    first, again, other = (run(fresh, played, hotel_kit, seed) for seed in (7, 7, 8))
    assert dataclasses.asdict(first) == dataclasses.asdict(again)
    assert first.events != other.events


def test_a_run_takes_the_times_its_scenario_says(fresh, hotel_kit):
    # Everyone answers in 10 min and approves in 20: the cell is assembled at T+10m, the holding
    # statement (drafted for Claire, who has nothing to fill in) approved at T+30m, posted at T+40m.
    outcome = run(fresh, scenario(), hotel_kit)
    measured = {r.key: r.value.total_seconds() / 60 for r in outcome.results if r.value is not None}
    assert measured == {"acknowledge": 10, "assemble": 10, "first_statement": 40}
    assert outcome.rating is Rating.WITHOUT_CHALLENGES


def test_a_person_who_sends_a_draft_back_makes_its_author_rewrite_it(fresh, hotel_kit):
    played = scenario(
        people=[
            {"who": "everyone", "acknowledge": "10m", "approve": "20m", "write": "15m", "publish": "10m"},
            {"who": "legal", "rejects": ["holding_statement"]},
        ]
    )
    outcome = run(fresh, played, hotel_kit)
    summaries = [str(e["summary"]) for e in outcome.events]
    assert any("sent D1 v1 back as legal" in s for s in summaries), summaries
    assert any("edited D1: version 2" in s for s in summaries)
    assert any("approved D1 v2" in s for s in summaries)
    # Sent back at T+30m, rewritten at T+45m, approved again at T+65m: the holding statement is late.
    approved = {r.key: r.value for r in outcome.results}
    assert approved["first_statement"].total_seconds() / 60 == 75
