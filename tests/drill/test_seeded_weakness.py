"""A drill finds a weakness planted in the roster: without a backup lawyer, approval stalls when the
lawyer is away — and the same drill passes once the backup is back."""

from __future__ import annotations

import pytest

from flows.drill.plain import plain_protocol
from flows.drill.scoring import Rating
from flows.drill.simulated import play
from flows.kit.schema import Kit
from tests.drill.scenarios import scenario

pytestmark = pytest.mark.usefixtures("prefect_server")

SEEDS = range(6)
# The hotel's fake-review drill, the lawyer away one run in two; the holding statement is to be approved
# within two hours of detection.
LAWYER_AWAY = scenario(
    people=[
        {"who": "everyone", "acknowledge": "10m", "approve": "20m", "write": "10m", "publish": "10m"},
        {"who": "legal/primary", "absent": 0.5},
    ],
    targets={"holding_approved": "2h"},
)


def without_legal_backup(kit: Kit) -> Kit:
    return kit.model_copy(update={"roster": {**kit.roster, "legal": kit.roster["legal"][:1]}})


def holding_approved_by_run(fresh, kit: Kit) -> dict[int, tuple[bool, bool, Rating]]:
    """Per seed: (was the lawyer away, was the holding statement approved within 2 h, the rating)."""
    found = {}
    for seed in SEEDS:
        with fresh() as sessions, plain_protocol():
            outcome = play(LAWYER_AWAY, kit, seed=seed, sessions=sessions, kit_sha256="test")
        [approval] = [r for r in outcome.results if r.key == "holding_approved"]
        found[seed] = ("anne.roux" in outcome.absent, approval.met, outcome.rating)
    return found


def test_without_the_backup_lawyer_approval_fails_exactly_when_the_lawyer_is_away(fresh, hotel_kit):
    weak = without_legal_backup(hotel_kit)
    assert weak.roster["legal"] == ["anne.roux"]
    runs = holding_approved_by_run(fresh, weak)
    away = {seed for seed, (absent, _, _) in runs.items() if absent}
    assert away and away != set(SEEDS), "the seeds must cover both cases"
    for seed, (absent, met, rating) in runs.items():
        assert met is not absent, f"seed {seed}: lawyer away={absent}, approval within 2 h={met}"
        if absent:
            assert rating is Rating.UNABLE  # the cell never gathered: nobody could approve anything


def test_with_the_backup_lawyer_the_same_drill_passes(fresh, hotel_kit):
    runs = holding_approved_by_run(fresh, hotel_kit)
    assert any(absent for absent, _, _ in runs.values())
    assert all(met for _, met, _ in runs.values()), runs
