"""`cellule kit load` and `cellule kit show`, as a person at a terminal sees them."""

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cellule.commands.kit import kit_app
from cellule.settings import get_settings
from cellule.store import open_store


@pytest.fixture
def run(sqlite_url, tmp_path, monkeypatch) -> Iterator:
    """Run `cellule kit ...` against a migrated SQLite store named by CELLULE_DATABASE_URL."""
    monkeypatch.setenv("CELLULE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CELLULE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()  # settings are cached per process; these tests change them
    runner = CliRunner()
    yield lambda *args: runner.invoke(kit_app, list(args))
    get_settings.cache_clear()


@pytest.fixture
def store(sqlite_url):
    return open_store(sqlite_url)


def test_load_an_example_kit_by_name_and_see_its_summary(run, store, kit_rows):
    result = run("load", "hotel")

    assert result.exit_code == 0, result.output
    assert "Kit Hôtel des Lilas loaded as version 1" in result.output
    for shown in ("Claire Morel", "community_manager", "Lucas Perrin", "defamatory_review", "5m"):
        assert shown in result.output
    assert len(kit_rows(store)["people"]) == 10


def test_show_prints_the_kit_in_force(run):
    run("load", "food_brand")
    result = run("show")

    assert result.exit_code == 0, result.output
    assert "Kit version 1, loaded" in result.output
    for shown in ("Maison Brunel", "Valérie Brunel", "quality", "Dr Aurélie Lambert", "accusation"):
        assert shown in result.output


def test_show_without_a_kit_says_how_to_load_one(run):
    result = run("show")

    assert result.exit_code == 1
    assert "No crisis kit is loaded yet" in result.output
    assert "cellule kit load hotel" in result.output


def test_a_kit_with_mistakes_is_refused_with_exit_code_2_and_nothing_changes(
    run, store, kit_rows, write_kit, small_kit
):
    run("load", "hotel")
    before = kit_rows(store)
    bad = write_kit(small_kit.replace("email:", "emial:").replace("48h", "2 hours"))

    result = run("load", str(bad))

    assert result.exit_code == 2
    assert f"{bad}:7: people.0.emial: unknown field (typo?)\n" in result.output
    assert f"{bad}:17: playbooks.default.correlation_window: not a duration" in result.output
    assert "The kit was not loaded; the store is unchanged." in result.output
    assert kit_rows(store) == before


def test_an_unknown_example_name_lists_the_examples(run, store, kit_rows):
    result = run("load", "hotl")

    assert result.exit_code == 2
    assert "no such example kit (available: food_brand, hotel)" in result.output
    assert kit_rows(store)["versions"] == []


def test_reloading_says_who_is_no_longer_in_the_kit(run, write_kit, small_kit, small_kit_without_lucas):
    run("load", str(write_kit(small_kit)))
    result = run("load", str(write_kit(small_kit_without_lucas, "lilas-v2.yaml")))

    assert result.exit_code == 0, result.output
    assert "No longer in the kit (kept in the history, never called): lucas" in result.output
