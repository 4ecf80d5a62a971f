"""Scenario files: the built-in ones fit the kits they were written for; mistakes are said at FILE:LINE."""

from __future__ import annotations

import random
import statistics
from datetime import timedelta

import pytest

from flows.drill.players import cast
from flows.drill.scenario import (
    Delay,
    builtin_scenario_names,
    find_scenario,
    problems_with,
    read_scenario,
)
from flows.kit.loading import KitError, example_kit_path, read_kit
from tests.drill.scenarios import scenario

DOMAIN_CRISES = {
    "fake-review": "defamatory_review",
    "review-bombing": "review_bombing",  # it opens as one defamatory review, and becomes a bombing
    "animal-welfare-handled": "accusation",
    "animal-welfare-not-handled": "accusation",
    "catalogue-photo": "bad_buzz",
    "hijacked-account": "account_takeover",
    "data-leak-rumour": "data_leak",  # "fichier clients": the kit classifies it as a leak, not a rumour
    "disinformation-push": "disinformation",
}


def test_every_crisis_of_the_domain_has_a_built_in_scenario():
    assert set(builtin_scenario_names()) == set(DOMAIN_CRISES)


@pytest.mark.parametrize("name", sorted(DOMAIN_CRISES))
def test_a_built_in_scenario_fits_the_kit_it_was_written_for(name):
    played = read_scenario(find_scenario(name))
    assert played.name == name
    assert played.scenario.kit is not None
    assert list(problems_with(played, read_kit(example_kit_path(played.scenario.kit)))) == []
    assert played.title("fr") and played.title("en")


def test_the_animal_welfare_accusation_is_played_once_per_branch():
    branches = {
        read_scenario(find_scenario(f"animal-welfare-{b}")).exit.branch for b in ("handled", "not-handled")
    }
    assert branches == {"already_handled", "not_handled"}


def test_mistakes_in_a_scenario_are_all_reported_with_their_line(tmp_path):
    path = tmp_path / "drill.yaml"
    path.write_text(
        "scenario:\n"
        "  name: broken\n"
        "  title: {en: Broken}\n"
        "signals:\n"
        "  - at: 10m\n"
        "    text: hello\n"
        "    rating: 9\n"
        "people:\n"
        "  - who: everyone\n"
        "    acknowledge: {median: 1h, p90: 10m}\n"
        "    answers: fast\n",
        encoding="utf-8",
    )
    with pytest.raises(KitError) as caught:
        read_scenario(path)
    message = str(caught.value)
    assert f"{path}:7: signals.0.rating" in message
    assert "p90 must be at least the median" in message
    assert f"{path}:11: people.0.answers" in message


def test_the_first_signals_start_the_drill(tmp_path):
    with pytest.raises(ValueError, match="the first signals arrive at 0m"):
        scenario(signals=[{"at": "1h", "text": "late"}])


def test_a_scenario_naming_people_or_roles_the_kit_lacks_is_refused_with_each_name():
    played = scenario(
        people=[{"who": "lawyer/primary", "absent": True}, {"who": "nobody.here"}, {"who": "legal/x"}]
    )
    problems = list(problems_with(played, read_kit(example_kit_path("hotel"))))
    assert problems == [
        "people[0].who: 'lawyer/primary' is neither a role of the roster nor a person",
        "people[1].who: 'nobody.here' is neither a role of the roster nor a person",
        "people[2].who: 'legal/x' — write ROLE, ROLE/primary, ROLE/backup or a key",
    ]


def test_an_unknown_scenario_names_the_built_in_ones():
    with pytest.raises(KitError, match="built-in: animal-welfare-handled"):
        find_scenario("no-such-drill")


def test_a_delay_spread_has_the_median_and_p90_it_was_given():
    delay = Delay(median=timedelta(minutes=10), p90=timedelta(minutes=40))
    rng = random.Random(1)
    minutes = sorted(delay.draw(rng).total_seconds() / 60 for _ in range(4000))
    assert 9 <= statistics.median(minutes) <= 11
    assert 36 <= minutes[int(0.9 * len(minutes))] <= 44


def test_rules_apply_by_role_rank_and_person_later_rules_winning(hotel_kit):
    played = scenario(
        people=[
            {"who": "everyone", "declines": False},
            {"who": "legal/primary", "absent": True},
            {"who": "comms_lead", "declines": True},
            {"who": "emma.walsh", "declines": False},
        ]
    )
    players = cast(played, hotel_kit, random.Random(0))
    assert players["anne.roux"].absent and not players["karim.benali"].absent
    assert players["sophie.marchand"].declines and not players["emma.walsh"].declines
    assert not players["claire.morel"].absent


def test_a_chance_of_absence_is_drawn_per_run_and_replays_with_its_seed(hotel_kit):
    played = scenario(people=[{"who": "legal/primary", "absent": 0.5}])
    absent = [cast(played, hotel_kit, random.Random(seed))["anne.roux"].absent for seed in range(40)]
    assert 10 < sum(absent) < 30
    assert absent == [cast(played, hotel_kit, random.Random(seed))["anne.roux"].absent for seed in range(40)]
