"""Exiting on top from the command line, as the hotel's cell does it: a refused act says why and changes
nothing; `cellule show` then tells the whole story — drafts, approvals, commitments, review avenues."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cellule.commands import app
from cellule.settings import get_settings
from cellule.store import open_store
from models import (
    AvenueStatus,
    Commitment,
    Draft,
    Incident,
    LegalAction,
    PlatformReport,
    PostMortem,
    PublicReply,
    ReviewCase,
    TimelineEvent,
    transaction,
)

pytestmark = pytest.mark.usefixtures("prefect_server")  # `report`, `ack` and `exit` run the protocol

REF = "CRI-2026-0001"
REVIEW = ["--target", "Hôtel des Lilas", "--platform", "google", "--id", "g-42", "--rating", "1"]
BENEFIT = "Un accueil formé, et 40 avis positifs qui saluent notre transparence."


@pytest.fixture
def cellule(sqlite_url, tmp_path, monkeypatch) -> Iterator:
    monkeypatch.setenv("CELLULE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CELLULE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CELLULE_SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that tables do not wrap what we look for
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, result.output
        return result.output

    run("kit", "load", "hotel")
    run("report", *REVIEW, "--text", "Chambre sale, personnel odieux.")
    for key in ("claire.morel", "sophie.marchand", "anne.roux"):
        run("ack", REF, "--as", key)  # the last one assembles the cell: the holding statement goes up
    yield run
    get_settings.cache_clear()


@pytest.fixture
def store(sqlite_url):
    sessions = open_store(sqlite_url)

    def counts() -> dict[str, int]:
        with transaction(sessions) as session:
            return {
                m.__name__: session.scalar(select(func.count()).select_from(m))
                for m in (Draft, Commitment, TimelineEvent)
            }

    return sessions, counts


def conclude_the_review_avenues(sessions) -> None:
    """What `cellule review …` would leave: the report failed, the legal avenue dropped, the reply out."""
    with transaction(sessions) as session:
        for case in session.scalars(select(ReviewCase)):
            for model, status, reason in (
                (PlatformReport, AvenueStatus.FAILED, None),
                (LegalAction, AvenueStatus.ABANDONED, "Coût disproportionné pour un seul avis."),
                (PublicReply, AvenueStatus.SUCCEEDED, None),
            ):
                row = session.scalars(select(model).where(model.case_id == case.id)).one_or_none()
                if row is None:
                    row = model(case_id=case.id)
                    session.add(row)
                row.status, row.abandoned_reason = status, reason


def test_the_cell_exits_on_top_from_the_command_line(cellule, store, tmp_path):
    sessions, counts = store
    shown = cellule("show", REF)
    assert "Drafts and approvals" in shown and "holding_statement" in shown and "awaiting_approval" in shown

    before = counts()
    refused = cellule("publish", REF, "D1", "--as", "claire.morel", "--where", "Google", code=2)
    assert "D1 is awaiting_approval" in refused and "Nothing was changed." in refused
    assert counts() == before

    cellule("approve", REF, "D1", "--as", "sophie.marchand", "--version", "1")
    cellule("approve", REF, "D1", "--as", "anne.roux", "--version", "1")
    url = "https://g.page/hotel-des-lilas/review/42"
    published = cellule("publish", REF, "d1", "--as", "claire.morel", "--where", "Google", "--url", url)
    assert "D1 published on Google" in published and "First public statement of CRI-2026-0001" in published

    refused = cellule("exit", REF, "--branch", "not_handled", "--as", "sophie.marchand", code=2)
    assert "record at least 1 first" in refused
    recorded = cellule(
        "commit", REF, "--text", "Former toute l'équipe d'accueil", "--owner", "sophie.marchand",
        "--due", "2026-12-31", "--as", "sophie.marchand",
    )  # fmt: skip
    assert "C1 recorded for CRI-2026-0001" in recorded and "due 31 décembre 2026" in recorded
    chosen = cellule("exit", REF, "--branch", "not_handled", "--as", "sophie.marchand")
    assert "chose the branch “not handled”" in chosen and "D2 (apology, fr): awaiting_approval" in chosen

    before = counts()
    refused = cellule("resolve", REF, "--benefit", BENEFIT, "--as", "sophie.marchand", code=2)
    assert (
        "cannot be resolved yet" in refused and "the apology of the branch is not published in fr" in refused
    )
    assert counts() == before

    cellule("approve", REF, "D2", "--as", "sophie.marchand", "--version", "1")
    cellule("approve", REF, "D2", "--as", "anne.roux", "--version", "1")
    cellule("publish", REF, "D2", "--as", "claire.morel", "--where", "Google")
    conclude_the_review_avenues(sessions)
    resolved = cellule("resolve", REF, "--benefit", BENEFIT, "--as", "sophie.marchand")
    assert "CRI-2026-0001 is resolved. What we gained: Un accueil formé" in resolved
    report = tmp_path / "data" / "reports" / REF / "postmortem.fr.html"
    assert f"Post-mortem of CRI-2026-0001: {report}" in resolved and report.is_file()
    assert resolved.count("CRI-2026-0001 · Retour d'expérience prêt") == 3  # each member, on the console
    with transaction(sessions) as session:
        assert session.scalars(select(PostMortem.report_path)).one() == str(report)

    listed = cellule("commitments")
    assert "Former toute l'équipe d'accueil" in listed and "Sophie Marchand" in listed and "open" in listed
    assert "0 owner(s) reminded." in cellule("commitments", "--remind")  # due in a month: not yet
    cellule(
        "kept", REF, "C1", "--proof", "https://hoteldeslilas.example/formation", "--as", "sophie.marchand"
    )
    assert "No open commitment." in cellule("commitments")

    shown = cellule("show", REF)
    assert "Exit on top: not handled" in shown and "What we gained: Un accueil formé" in shown
    assert "✓ Me Anne Roux · legal · v1" in shown and "✓ Sophie Marchand · comms_lead · v1" in shown
    assert url in shown and "kept" in shown and "https://hoteldeslilas.example/formation" in shown
    assert "Review avenues" in shown and "Coût disproportionné" in shown
    with transaction(sessions) as session:
        assert session.scalars(select(Incident)).one().status == "resolved"


def test_a_posted_text_that_differs_from_the_approved_one_is_refused(cellule, store, tmp_path):
    sessions, counts = store
    cellule("approve", REF, "D1", "--as", "sophie.marchand")
    cellule("approve", REF, "D1", "--as", "anne.roux")
    with transaction(sessions) as session:
        approved = session.scalars(select(Draft.text)).one()
    posted = tmp_path / "posted.txt"
    posted.write_text(approved.replace("très vite", "bientôt"), encoding="utf-8")
    before = counts()
    refused = cellule(
        "publish", REF, "D1", "--as", "claire.morel", "--where", "Google", "--file", str(posted), code=2
    )
    assert "differs from the approved D1" in refused and counts() == before
    posted.write_text(approved + "\n", encoding="utf-8")
    assert "D1 published on Google" in cellule(
        "publish", REF, "D1", "--as", "claire.morel", "--where", "Google", "--file", str(posted)
    )


def test_unknown_people_and_labels_are_refused_clearly(cellule):
    assert "Nobody has the key 'zorro'" in cellule(
        "exit", REF, "--branch", "already_handled", "--as", "zorro", code=2
    )
    assert "has no draft 'D9'" in cellule(
        "publish", REF, "D9", "--as", "claire.morel", "--where", "Google", code=2
    )
    assert "has no commitment 'C4'" in cellule(
        "kept", REF, "C4", "--proof", "https://x.example", "--as", "anne.roux", code=2
    )
    assert "in the future" in cellule(
        "publish", REF, "D1", "--as", "claire.morel", "--where", "Google", "--at", "2999-01-01T10:00", code=2
    )
