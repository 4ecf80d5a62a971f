"""Scheduled drills: every playbook rehearsed against the kit in force; its owner told when a target slips."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cellule.store import open_store
from flows.drill.scheduled import rehearse_every_playbook, scenarios_for
from flows.kit.loading import example_kit_path, load_kit, read_kit
from flows.kit.schema import Kit
from models import Drill, Notification, transaction

pytestmark = pytest.mark.usefixtures("prefect_server")

MONDAY_6AM = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)


def test_each_playbook_is_rehearsed_by_a_built_in_scenario_of_its_attack_type():
    kit = read_kit(example_kit_path("food_brand"))
    chosen = {s.name: {str(signal.attack_type) for signal in s.signals} for s in scenarios_for(kit)}
    assert chosen["catalogue-photo"] == {"bad_buzz"}
    assert chosen["fake-review"] == {"defamatory_review"}
    assert all(len(types) == 1 for types in chosen.values())
    [fake_review] = [s for s in scenarios_for(kit, primary_away=0.25) if s.name == "fake-review"]
    assert {"who": "legal/primary", "absent": 0.25} in [
        r.model_dump(exclude_none=True) for r in fake_review.people
    ]


def defamatory_reviews_only(kit: Kit, *, legal: list[str]) -> Kit:
    """The hotel's kit with one playbook to rehearse (a round stays short), and the legal roster given."""
    playbooks = {k: v for k, v in kit.playbooks.items() if k in ("default", "defamatory_review")}
    return kit.model_copy(update={"playbooks": playbooks, "roster": {**kit.roster, "legal": legal}})


def load(sessions, kit: Kit) -> None:
    with transaction(sessions) as session:
        load_kit(session, kit=kit, source="test", sha256=str(kit.roster["legal"]))


def test_the_owner_is_told_once_when_a_backup_leaves_and_a_target_starts_failing(
    sqlite_url, fresh, hotel_kit
):
    # SQLite only: three rounds of runs are long, and the journal is tested on both databases elsewhere.
    sessions = open_store(sqlite_url)

    def round_(number: int):
        [rehearsal] = rehearse_every_playbook(
            sessions,
            fresh=fresh,
            runs=4,
            now=MONDAY_6AM,
            available={"console"},
            round_id=f"r{number}",
            primary_away=0.5,
        )
        return rehearsal

    load(sessions, defamatory_reviews_only(hotel_kit, legal=["anne.roux", "karim.benali"]))
    first = round_(1)
    assert "assemble" not in {t.key for t in first.slipped}  # the backup lawyer covers for Anne

    load(sessions, defamatory_reviews_only(hotel_kit, legal=["anne.roux"]))  # Karim left the roster
    second = round_(2)
    assemble = {t.key: t for t in second.summary.targets}["assemble"]
    assert assemble.share_met < 0.9 and "assemble" in {t.key for t in second.slipped}
    assert second.told

    third = round_(3)  # still failing, but not news: nobody is told again
    assert "assemble" not in {t.key for t in third.slipped} and not third.told

    with transaction(sessions) as session:
        told = session.scalars(select(Notification).where(Notification.template == "drill_regression")).all()
        series = set(session.scalars(select(Drill.series)))
    assert len(told) == 1 + first.told
    message = told[-1]
    assert message.key.startswith("drill:r2/fake-review/owner/")
    assert any(t["key"] == "assemble" for t in message.context["failing"])
    assert series == {"scheduled-r1", "scheduled-r2", "scheduled-r3"}
