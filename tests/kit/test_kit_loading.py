"""Loading a kit into the store (SQLite and PostgreSQL): versions kept, people never lost, roster replaced."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from flows.kit.loading import (
    NoKit,
    current_kit,
    example_kit_path,
    load_kit,
    read_kit,
    require_kit,
    require_kit_version,
)
from models import KitVersion, Person, RosterEntry, transaction


@pytest.mark.parametrize("name", ["hotel", "food_brand"])
def test_an_example_kit_loads_its_people_and_roster(sessions, load_file, kit_rows, name):
    kit = read_kit(example_kit_path(name))
    version_id = load_file(sessions, example_kit_path(name))

    rows = kit_rows(sessions)
    assert rows["versions"] == [(version_id, kit.kit.name)]
    active = sorted(key for _, key, _, _, is_active in rows["people"] if is_active)
    assert active == sorted(p.key for p in kit.people)
    assert len(rows["roster"]) == sum(len(members) for members in kit.roster.values())


def test_the_stored_version_reads_back_as_the_same_kit(sessions, load_file):
    load_file(sessions, example_kit_path("hotel"))
    with sessions() as session:
        version, kit = current_kit(session)
    assert kit == read_kit(example_kit_path("hotel"))
    assert version.source.endswith("hotel.yaml") and len(version.sha256) == 64


def test_the_primary_has_rank_one_and_backups_follow_in_order(sessions, load_file, kit_rows):
    load_file(sessions, example_kit_path("hotel"))
    legal = [(rank, key) for role, rank, key in kit_rows(sessions)["roster"] if role == "legal"]
    assert legal == [(1, "anne.roux"), (2, "karim.benali")]


def test_loading_the_same_kit_twice_adds_a_version_but_no_people(sessions, load_file, kit_rows):
    load_file(sessions, example_kit_path("hotel"))
    first = kit_rows(sessions)
    load_file(sessions, example_kit_path("hotel"))
    second = kit_rows(sessions)

    assert len(second["versions"]) == 2
    assert second["people"] == first["people"]  # same rows, same ids
    assert second["roster"] == first["roster"]


def test_a_person_removed_from_the_kit_is_kept_but_no_longer_active(
    sessions, load_file, write_kit, small_kit, small_kit_without_lucas
):
    load_file(sessions, write_kit(small_kit))
    load_file(sessions, write_kit(small_kit_without_lucas, "lilas-v2.yaml"))

    with sessions() as session:
        lucas = session.scalars(select(Person).where(Person.key == "lucas")).one()
        roster = session.scalars(select(RosterEntry.person_id)).all()
    assert lucas.active is False
    assert lucas.id not in roster


def test_a_person_back_in_the_kit_is_active_again_with_the_same_row(
    sessions, load_file, write_kit, small_kit, small_kit_without_lucas
):
    load_file(sessions, write_kit(small_kit))
    with sessions() as session:
        first_id = session.scalars(select(Person.id).where(Person.key == "lucas")).one()
    load_file(sessions, write_kit(small_kit_without_lucas, "lilas-v2.yaml"))
    load_file(sessions, write_kit(small_kit))

    with sessions() as session:
        lucas = session.scalars(select(Person).where(Person.key == "lucas")).one()
    assert (lucas.id, lucas.active) == (first_id, True)


def test_changed_contact_details_replace_the_old_ones(sessions, load_file, write_kit, small_kit):
    load_file(sessions, write_kit(small_kit))
    moved = small_kit.replace("claire@lilas.example", "claire.morel@lilas.example").replace(
        "    locale: en\n", "    locale: en\n    timezone: Europe/London\n"
    )
    load_file(sessions, write_kit(moved))

    with sessions() as session:
        claire = session.scalars(select(Person).where(Person.key == "claire")).one()
        lucas = session.scalars(select(Person).where(Person.key == "lucas")).one()
    assert claire.email == "claire.morel@lilas.example"
    assert (lucas.locale, lucas.timezone) == ("en", "Europe/London")


def test_the_current_kit_is_the_one_loaded_last(sessions, load_file):
    load_file(sessions, example_kit_path("hotel"))
    load_file(sessions, example_kit_path("food_brand"))
    with sessions() as session:
        version, kit = require_kit_version(session)
    assert (version.name, kit.kit.name) == ("Maison Brunel", "Maison Brunel")


def test_an_empty_store_has_no_kit(sessions):
    with sessions() as session:
        assert current_kit(session) is None
        with pytest.raises(NoKit, match="No crisis kit is loaded yet"):
            require_kit(session)


def test_loading_never_commits_the_callers_transaction(sessions, kit_rows):
    kit = read_kit(example_kit_path("hotel"))
    with sessions() as session:
        load_kit(session, kit=kit, source="hotel.yaml", sha256="0" * 64)
        session.rollback()
    assert kit_rows(sessions) == {"versions": [], "people": [], "roster": []}


def test_a_load_that_fails_midway_leaves_no_trace(sessions, load_file, kit_rows, write_kit, small_kit):
    load_file(sessions, example_kit_path("hotel"))
    before = kit_rows(sessions)
    # Bypass validation to fail inside load_kit, after the version and the people were written.
    valid = read_kit(write_kit(small_kit))
    broken = valid.model_copy(update={"roster": {"community_manager": ["claire", "ghost"]}})

    with pytest.raises(KeyError), transaction(sessions) as session:
        load_kit(session, kit=broken, source="broken.yaml", sha256="0" * 64)

    assert kit_rows(sessions) == before


def test_a_very_long_source_path_keeps_its_end(sessions):
    kit = read_kit(example_kit_path("hotel"))
    source = str(Path("/deep") / ("folder/" * 100) / "hotel.yaml")
    with transaction(sessions) as session:
        load_kit(session, kit=kit, source=source, sha256="0" * 64)
    with sessions() as session:
        stored = session.scalars(select(KitVersion.source)).one()
        assert session.scalar(select(func.count()).select_from(KitVersion)) == 1
    assert len(stored) == 500 and stored.endswith("folder/hotel.yaml")
