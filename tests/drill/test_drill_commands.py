"""`cellule drill …` as a person types it: run a scenario, read the journal, start and stop a live drill."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cellule.store import open_store
from models import Drill, Incident, Signal, transaction

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def cellule(cellule_cli):  # type: ignore[no-untyped-def]
    return cellule_cli


def stored(sqlite_url: str, model) -> int:  # type: ignore[no-untyped-def]
    with transaction(open_store(sqlite_url)) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_simulated_drill_prints_its_score_and_keeps_only_its_journal(cellule, sqlite_url):
    result = cellule("drill", "run", "fake-review", "--kit", "hotel", "--events")
    assert result.exit_code == 0, result.output
    assert "What happened" in result.output and "Targets" in result.output
    assert "Rating: performed" in result.output
    assert stored(sqlite_url, Drill) == 1
    assert stored(sqlite_url, Incident) == 0  # the run played in a throwaway store

    shown = cellule("drill", "show", "1")
    assert shown.exit_code == 0 and "EXE-2026-0001" in shown.output and "holding approved" in shown.output
    report = cellule("drill", "show", "1", "--report")
    assert report.exit_code == 0 and report.output.startswith(
        "# EXERCICE — Retour d'expérience — EXE-2026-0001"
    )


def test_many_runs_give_the_share_of_runs_meeting_each_target(cellule, sqlite_url):
    result = cellule("drill", "run", "fake-review", "--kit", "hotel", "--runs", "3", "--seed", "10")
    assert result.exit_code == 0, result.output
    assert "3 runs — share of runs meeting each target" in result.output
    assert "Median" in result.output and "p90" in result.output and "Ratings" in result.output
    with transaction(open_store(sqlite_url)) as session:
        drills = session.scalars(select(Drill).order_by(Drill.id)).all()
    assert [d.seed for d in drills] == [10, 11, 12] and len({d.series for d in drills}) == 1
    journal = cellule("drill", "journal", "--series", drills[0].series)
    assert journal.exit_code == 0 and "3 runs" in journal.output
    listed = cellule("drill", "journal")
    assert listed.exit_code == 0 and listed.output.count("fake-review") == 3


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("drill", "run", "no-such-drill"), "no such scenario file or built-in scenario"),
        (("drill", "run", "fake-review", "--kit", "nowhere.yaml"), "Cannot use this kit"),
        (("drill", "show", "7"), "No drill #7"),
        (("drill", "start", "fake-review"), "A live drill alerts real people: add --live"),
        (("drill", "stop"), "No live drill is running"),
    ],
)
def test_a_drill_command_that_cannot_be_done_says_why_and_changes_nothing(cellule, sqlite_url, args, says):
    result = cellule(*args)
    assert result.exit_code != 0
    assert says in result.output
    assert stored(sqlite_url, Drill) == stored(sqlite_url, Signal) == 0


def test_a_scenario_file_with_mistakes_is_refused_with_its_lines(cellule, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("scenario:\n  name: mine\n  title: {en: Mine}\nsignals: []\n", encoding="utf-8")
    result = cellule("drill", "run", str(path), "--kit", "hotel")
    assert result.exit_code == 1
    assert f"{path}:4: signals" in result.output


def test_a_live_drill_from_start_to_hot_wash(cellule, sqlite_url, tmp_path):
    assert cellule("kit", "load", "hotel").exit_code == 0
    started = cellule("drill", "start", "fake-review", "--live")
    assert started.exit_code == 0, started.output
    assert "Live drill EXE-2026-0001 started" in started.output
    assert "EXERCICE —" in started.output  # the console channel shows the alerts, marked

    answers = tmp_path / "hot-wash.yaml"
    answers.write_text(
        "- Les alertes sont arrivées vite.\n- Trouver le juriste a pris du temps.\n", encoding="utf-8"
    )
    stopped = cellule("drill", "stop", "EXE-2026-0001", "--hot-wash", str(answers), input="\n\n")
    assert stopped.exit_code == 0, stopped.output
    assert "Rating:" in stopped.output and "Hot wash kept with drill #1" in stopped.output
    with transaction(open_store(sqlite_url)) as session:
        drill = session.get_one(Drill, 1)
        incident = session.get_one(Incident, drill.incident_id)
    assert drill.ended_at is not None and incident.status == "closed"
    assert [a["answer"] for a in drill.hot_wash] == [
        "Les alertes sont arrivées vite.",
        "Trouver le juriste a pris du temps.",
    ]
    assert "live" in cellule("drill", "journal").output
