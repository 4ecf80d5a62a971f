"""Scoring, on hand-made observations: each target met or not, the rating, and a series' shares and spread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.drill.scenario import DrillTargets
from flows.drill.scoring import Observation, Rating, TargetResult, rate, score, summarise, targets_for
from flows.kit.schema import Targets

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def observed(**milestones: float | None) -> Observation:
    stamps = {f"{k}_at": (T0 + MIN * v if v is not None else None) for k, v in milestones.items()}
    return Observation(detected_at=T0, milestones=stamps, quorum_breaches=(), commitments_missing=())


def test_targets_come_from_the_scenario_else_from_the_playbook():
    timed = targets_for(DrillTargets(assemble=30 * MIN, holding_approved=2 * 60 * MIN), Targets())
    assert timed == {
        "acknowledge": 15 * MIN,  # the playbook's
        "assemble": 30 * MIN,  # the scenario's
        "holding_approved": 120 * MIN,
        "first_statement": 120 * MIN,  # the playbook's
    }


def test_a_milestone_reached_late_or_never_misses_its_target():
    seen = observed(acknowledged=10, cell_assembled=61, holding_approved=None, first_statement=None)
    results = score(
        seen,
        timed={"acknowledge": 15 * MIN, "assemble": 60 * MIN, "holding_approved": 120 * MIN},
        checks=DrillTargets(quorum_respected=False, commitments_recorded=False),
    )
    assert [(r.key, r.value, r.met) for r in results] == [
        ("acknowledge", 10 * MIN, True),
        ("assemble", 61 * MIN, False),
        ("holding_approved", None, False),
    ]


def test_checks_fail_with_what_broke_them():
    seen = Observation(
        T0, {}, quorum_breaches=("D1 was published with 1 of 2 approvals",), commitments_missing=()
    )
    [quorum, commitments] = score(seen, timed={}, checks=DrillTargets())
    assert (quorum.met, quorum.detail) == (False, "D1 was published with 1 of 2 approvals")
    assert commitments.met


def result(key: str, met: bool, minutes: float | None = None) -> TargetResult:
    return TargetResult(key, 60 * MIN, MIN * minutes if minutes is not None else None, met)


def test_the_rating_follows_the_exercise_evaluation_scale():
    gathered = observed(cell_assembled=20)
    assert rate(observed(cell_assembled=None), [result("acknowledge", True)]) is Rating.UNABLE
    assert (
        rate(gathered, [result("acknowledge", True), result("assemble", True)]) is Rating.WITHOUT_CHALLENGES
    )
    some = [result("acknowledge", False), result("assemble", True), result("resolved", True)]
    assert rate(gathered, some) is Rating.SOME_CHALLENGES
    core_missed = [result("acknowledge", True), result("holding_approved", False), result("resolved", True)]
    assert rate(gathered, core_missed) is Rating.MAJOR_CHALLENGES
    half_missed = [
        result("acknowledge", False),
        result("resolved", False),
        result("x", True),
        result("y", True),
    ]
    assert rate(gathered, half_missed) is Rating.MAJOR_CHALLENGES


def test_a_series_gives_the_share_met_and_the_median_and_p90_of_the_runs_that_reached_it():
    # Ten runs: approval took 10, 20, …, 90 minutes in nine of them, and never came in the tenth.
    runs = [[result("holding_approved", m <= 60, m)] for m in range(10, 100, 10)]
    runs.append([result("holding_approved", False, None)])
    [summary] = summarise(runs)
    assert (summary.met, summary.runs, summary.share_met) == (6, 10, 0.6)
    assert summary.median == 50 * MIN  # the middle of the nine measured
    assert summary.p90 == 90 * MIN  # nearest rank: ceil(0.9 × 9) = the 9th
    assert summary.never_reached == 1
