"""The command line as a person uses it: report, read, answer — and bad input that changes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cellule.commands import app
from cellule.settings import get_settings
from cellule.store import open_store
from models import Incident, Notification, Participant, ParticipantStatus, Signal, TimelineEvent, transaction

REVIEW = [
    "--target",
    "Hôtel des Lilas",
    "--platform",
    "google",
    "--id",
    "g-42",
    "--rating",
    "1",
    "--author",
    "Voyageur_74",
    "--text",
    "Chambre sale, personnel odieux.",
]


@pytest.fixture
def cellule(cellule_cli):  # type: ignore[no-untyped-def]
    """Run `cellule ...` against a migrated SQLite store, with the hotel's kit loaded."""
    assert cellule_cli("kit", "load", "hotel").exit_code == 0
    return cellule_cli


@pytest.fixture
def counts(sqlite_url):
    store = open_store(sqlite_url)

    def count() -> dict[str, int]:
        with transaction(store) as session:
            return {
                m.__name__: session.scalar(select(func.count()).select_from(m))
                for m in (Signal, Incident, TimelineEvent, Notification)
            }

    return count


@pytest.mark.usefixtures("prefect_server")  # the command runs the protocol
def test_reporting_a_review_opens_an_incident_and_alerts_the_cell(cellule, counts):
    result = cellule("report", *REVIEW)
    assert result.exit_code == 0, result.output
    assert "incident opened CRI-2026-0001" in result.output
    assert "Claire Morel" in result.output  # her alert, on the console channel
    assert counts()["Notification"] >= 3

    listed = cellule("incidents")
    assert "CRI-2026-0001" in listed.output and "Hôtel des Lilas" in listed.output
    shown = cellule("show", "cri-2026-0001", "--tz", "America/Montreal")
    assert shown.exit_code == 0 and "Timeline (America/Montreal)" in shown.output


@pytest.mark.usefixtures("prefect_server")  # the command runs the protocol
def test_reporting_the_same_review_twice_alerts_nobody_again(cellule, counts):
    cellule("report", *REVIEW)
    before = counts()
    again = cellule("report", *REVIEW)
    assert again.exit_code == 0
    assert "already reported" in again.output and "nobody was alerted again" in again.output
    assert counts() == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--target", "Hôtel des Lilas", "--text", "   "], "text: is empty"),
        (["--target", "Hôtel des Lilas", "--text", "x" * 1_000_000], "text: is too long"),
        (["--target", "Hôtel des Lilas", "--text", "caf\udce9"], "not valid UTF-8"),
        (["--target", "Hôtel des Lilas", "--text", "t", "--rating", "9"], "rating"),
        (["--target", "Hôtel des Lilas", "--text", "t", "--type", "alien_invasion"], "alien_invasion"),
        (["--text", "no target"], "--target"),
    ],
)
def test_bad_reports_are_refused_and_change_nothing(cellule, counts, args, says):
    before = counts()
    result = cellule("report", *args)
    assert result.exit_code == 2
    assert says in result.output
    assert counts() == before


def test_a_feed_with_one_bad_signal_stores_none_of_them(cellule, counts, tmp_path):
    feed = tmp_path / "feed.json"
    good = {
        "target": "Hôtel des Lilas",
        "platform": "google",
        "external_id": "g-1",
        "rating": 1,
        "text": "Sale",
    }
    feed.write_text(json.dumps([good, {**good, "external_id": "g-2", "rating": 0}]), encoding="utf-8")
    before = counts()
    result = cellule("report", "--feed", str(feed))
    assert result.exit_code == 2
    assert "signal 1: rating" in result.output and "nothing was stored" in result.output
    assert counts() == before


def test_a_feed_that_is_not_utf8_or_not_json_is_refused(cellule, counts, tmp_path):
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes('[{"target": "Hôtel", "text": "é"}]'.encode("latin-1"))
    broken = tmp_path / "broken.json"
    broken.write_text('[{"target": ', encoding="utf-8")
    before = counts()
    assert "not valid UTF-8" in cellule("report", "--feed", str(latin1)).output
    assert "not valid JSON" in cellule("report", "--feed", str(broken)).output
    assert counts() == before


@pytest.mark.usefixtures("prefect_server")  # the command runs the protocol
def test_a_feed_of_five_reviews_is_one_review_bombing(cellule, tmp_path):
    reviews = [
        {
            "target": "Hôtel des Lilas",
            "platform": "google",
            "external_id": f"g-{n}",
            "rating": 1,
            "text": "Horrible",
            "observed_at": f"2026-11-26T08:{10 * n:02d}:00+00:00",
        }
        for n in range(5)
    ]
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"signals": reviews}), encoding="utf-8")
    result = cellule("report", "--feed", str(feed))
    assert result.exit_code == 0, result.output
    assert result.output.count("incident opened") == 1 and result.output.count("joined CRI-2026-0001") == 4
    assert "review_bombing" in cellule("incidents").output


@pytest.mark.usefixtures("prefect_server")  # the command runs the protocol
def test_acknowledging_from_the_command_line(cellule, sqlite_url):
    cellule("report", *REVIEW)
    result = cellule("ack", "CRI-2026-0001", "--as", "claire.morel")
    assert result.exit_code == 0, result.output
    assert "Claire Morel takes community_manager in CRI-2026-0001" in result.output
    with transaction(open_store(sqlite_url)) as session:
        statuses = session.scalars(
            select(Participant.status).where(Participant.role == "community_manager")
        ).all()
    assert statuses == [ParticipantStatus.ACKNOWLEDGED]

    outsider = cellule("ack", "CRI-2026-0001", "--as", "thomas.girard")  # agency: not called at medium
    assert outsider.exit_code == 2 and "is not in the crisis cell" in outsider.output
    unknown = cellule("decline", "CRI-2026-0001", "--as", "nobody")
    assert unknown.exit_code == 2 and "Nobody has the key" in unknown.output


def test_reporting_without_a_kit_says_how_to_load_one(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CELLULE_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["report", *REVIEW])
    get_settings.cache_clear()
    assert result.exit_code == 2 and "cellule kit load hotel" in result.output


@pytest.mark.usefixtures("prefect_server")  # the command runs the protocol
def test_the_demo_runs_on_its_own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("CELLULE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["demo"])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Demo done: incident CRI-2026-0001" in result.output
    assert (tmp_path / "demo.db").exists()
