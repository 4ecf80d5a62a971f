"""`cellule review …` as a community manager uses it: one transaction per action, refusals that say why
(exit code 2) and change nothing, a platform's refusal recorded (exit code 1) and retried by the same command.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from cellule.settings import get_settings
from cellule.store import open_store
from flows.reviews import ensure_avenues
from models import AvenueStatus, WasCustomer
from tests.reviews.fakes import GOOGLE_ACCOUNT, GOOGLE_LOCATION, GOOGLE_TOKEN, FakePlatform
from tests.reviews.scenario import Hotel, hotel_with_fake_review

Run = Callable[..., Result]
REF = "CRI-2026-0001"
GUESTS = "name,email,booking_reference\nÉlodie Martin,elodie@example.fr,LIL-0412\n"


@pytest.fixture
def store(sqlite_url: str) -> Hotel:
    """The hotel's fake review and its cell, in the SQLite store the commands use."""
    return hotel_with_fake_review(open_store(sqlite_url))


@pytest.fixture
def run(store: Hotel, cellule_cli: Run) -> Run:
    return lambda *args: cellule_cli("review", *args)


def approve_reply(store: Hotel) -> None:
    draft_id = store.avenues().reply.draft_id
    assert draft_id is not None
    store.cell.approve(draft_id, "sophie.marchand")
    store.cell.approve(draft_id, "anne.roux")


def test_a_community_manager_follows_the_review_from_the_command_line(
    run: Run, store: Hotel, tmp_path: Path
) -> None:
    shown = run("show", REF)
    assert shown.exit_code == 0, shown.output
    assert "CRI-2026-0001 R1 · google · 1★ · Marc Fontaine" in shown.output
    assert "Séjour catastrophique" in shown.output and "intact" in shown.output
    assert "not reported; reasons: off_topic, spam" in shown.output

    guests = tmp_path / "clients.csv"
    guests.write_text(GUESTS, encoding="utf-8-sig")  # as a spreadsheet exports it, with a BOM
    imported = run("customers", "import", str(guests))
    assert (imported.exit_code, "✓ 1 customer(s) imported." in imported.output) == (0, True), imported.output
    looked = run("customer", REF, "R1", "--booking-ref", "LIL-9999", "--as", "claire.morel")
    assert "✓ Was a customer: no (no booking reference 'LIL-9999' among 1 customers)." in looked.output

    reported = run(
        "report", REF, "r1", "--reason", "spam", "--reference", "GBP-77120", "--as", "claire.morel"
    )
    assert reported.exit_code == 0, reported.output
    assert "✓ Reported to google as spam; decision expected by" in reported.output

    legal = run(
        "legal", REF, "R1", "--insurer", "Mutuelle PJ", "--counsel", "Me Anne Roux", "--reference", "PJ-1"
    )
    assert (legal.exit_code, "✓ Legal avenue: in_progress." in legal.output) == (0, True), legal.output

    drafted = run("reply", REF, "R1", "--tone", "factual", "--as", "claire.morel")
    assert drafted.exit_code == 0, drafted.output
    assert "✓ Reply drafted as D1 (version 1), awaiting the cell's approval:" in drafted.output
    assert "Nous n'y trouvons aucune réservation" in drafted.output  # the customer list said no
    assert "Subject: CRI-2026-0001 · D1 à valider : Réponse à un avis, version 1" in drafted.output

    url = "https://www.google.com/maps/reviews/owner-reply"
    early = run("publish", REF, "R1", "--as", "claire.morel", "--url", url)
    assert early.exit_code == 2 and "no reply leaves without the quorum's approval" in early.output
    assert "Nothing was changed." in early.output

    approve_reply(store)
    published = run("publish", REF, "R1", "--as", "claire.morel", "--url", url)
    assert published.exit_code == 0, published.output
    assert f"✓ Reply published through manual at {url}." in published.output
    again = run("publish", REF, "R1", "--as", "claire.morel", "--url", url)
    assert again.exit_code == 2 and "never sent again" in again.output

    ended = run("outcome", REF, "R1", "--kept", "--rating-before", "4.6", "--rating-after", "4.5")
    assert (ended.exit_code, "✓ The review is kept; rating 4.6 → 4.5." in ended.output) == (0, True), (
        ended.output
    )

    final = run("show", REF, "R1")
    assert final.exit_code == 0, final.output
    for said in (
        "Customer: no — no booking reference 'LIL-9999' among 1 customers",
        "as spam",
        "platform reference GBP-77120",
        "insurer: Mutuelle PJ",
        "D1 v1: published",
        "by claire.morel (manual)",
        "Outcome: the review is kept; rating 4.6 → 4.5.",
    ):
        assert said in final.output, said


@pytest.mark.parametrize(
    "args, reason",
    [
        (["report", REF, "R1", "--reason", "defamation"], "Google has no reason 'defamation'"),
        (["report", REF, "R9", "--reason", "spam"], "CRI-2026-0001 has no review case 'R9' (its cases: R1)"),
        (["report", "CRI-1999-0001", "R1", "--reason", "spam"], "No incident 'CRI-1999-0001'."),
        (["decision", REF, "R1"], "Say what the platform decided: --removed or --kept."),
        (["decision", REF, "R1", "--kept"], "not reported to the platform yet"),
        (["outcome", REF, "R1", "--kept", "--edited"], "one of --removed, --kept or --edited"),
        (["legal", REF, "R1", "--reference", "PJ-1"], "Name who takes the case"),
        (
            ["reply", REF, "R1", "--as", "lucas.perrin"],
            "Lucas Perrin is not in the crisis cell of CRI-2026-0001",
        ),
        (["publish", REF, "R1", "--as", "claire.morel"], "give the address of the reply you posted: --url"),
        (
            ["publish", REF, "R1", "--as", "claire.morel", "--connector", "google"],
            "The google connector needs CELLULE_GOOGLE_BUSINESS_ACCESS_TOKEN, "
            "CELLULE_GOOGLE_BUSINESS_ACCOUNT_ID",
        ),
        (["abandon", REF, "R1", "--avenue", "legal", "--reason", " "], "Say why"),
        (["report", REF, "R1", "--reason", "spam", "--as", "nobody"], "Nobody has the key 'nobody'"),
    ],
)
def test_a_refused_action_says_why_and_changes_nothing(
    run: Run, store: Hotel, args: list[str], reason: str
) -> None:
    before = store.snapshot()
    refused = run(*args)
    assert refused.exit_code == 2, refused.output
    assert reason in " ".join(refused.output.split())
    assert store.snapshot() == before


def test_a_trustpilot_report_waits_3_days_after_the_contact(run: Run, store: Hotel) -> None:
    store.report(platform="trustpilot", external_id="6751c0ffee1234567890abcd", text="Arnaque.", author="M.")
    now = datetime.now(UTC)
    contact = (now - timedelta(days=1)).astimezone().strftime("%Y-%m-%d %H:%M")
    blocked = run(
        "report", REF, "R2", "--reason", "not_based_on_genuine_experience", "--precondition-met-at", contact
    )
    assert blocked.exit_code == 2 and "becomes possible on" in blocked.output
    assert reported_at(store) is None

    earlier = (now - timedelta(days=3, minutes=5)).isoformat()
    done = run(
        "report", REF, "R2", "--reason", "not_based_on_genuine_experience", "--precondition-met-at", earlier
    )
    assert done.exit_code == 0, done.output
    assert reported_at(store) is not None


def reported_at(store: Hotel):  # type: ignore[no-untyped-def]
    return store.act(lambda s, c: ensure_avenues(s, case=c).report.reported_at, label="R2")


def test_a_bad_customer_file_imports_nobody_and_names_its_lines(
    run: Run, store: Hotel, tmp_path: Path
) -> None:
    bad = tmp_path / "clients.csv"
    bad.write_text(GUESTS + "Paul,paul-at-example,\nAna,ana@example.com,X,extra\n", encoding="utf-8")
    before = store.snapshot()
    refused = run("customers", "import", str(bad))
    assert refused.exit_code == 2
    assert "line 3: 'paul-at-example' is not an email address" in refused.output
    assert "line 4: 4 fields, the header names 3" in refused.output
    assert store.snapshot() == before
    assert run("customer", REF, "R1", "--email", "elodie@example.fr").exit_code == 2  # still no list
    assert store.case().was_customer == WasCustomer.UNKNOWN


def test_a_platform_error_is_recorded_and_the_same_command_retries_it(
    run: Run, store: Hotel, fake_google: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in {
        "CELLULE_GOOGLE_BUSINESS_API_URL": fake_google.base_url,
        "CELLULE_GOOGLE_BUSINESS_ACCESS_TOKEN": GOOGLE_TOKEN,
        "CELLULE_GOOGLE_BUSINESS_ACCOUNT_ID": GOOGLE_ACCOUNT,
        "CELLULE_GOOGLE_BUSINESS_LOCATION_ID": GOOGLE_LOCATION,
    }.items():
        monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    assert run("reply", REF, "R1", "--as", "claire.morel", "--locale", "en").exit_code == 0
    approve_reply(store)
    fake_google.fail_next(503, "Backend Error")

    failed = run("publish", REF, "R1", "--as", "claire.morel", "--connector", "google")
    assert failed.exit_code == 1, failed.output
    assert (
        "✗ Not published (attempt 1):" in failed.output
        and "503 Service Unavailable: Backend Error" in failed.output
    )
    assert "Try the same command again later." in failed.output
    reply = store.avenues().reply
    assert (reply.status, reply.attempts, reply.published_at) == (AvenueStatus.WAITING, 1, None)

    retried = run("publish", REF, "R1", "--as", "claire.morel", "--connector", "google")
    assert retried.exit_code == 0, retried.output
    assert "✓ Reply published through google at https://maps.google.com/" in retried.output
    assert len(fake_google.calls) == 2 and fake_google.calls[-1].json["comment"].startswith(
        "Hello Marc Fontaine,"
    )


def test_the_author_s_edit_is_recorded_and_the_evidence_kept(run: Run, store: Hotel) -> None:
    before = store.case()
    changed = run("edited", REF, "R1", "--text", "Bof, rien de grave finalement.", "--rating", "3")
    assert changed.exit_code == 0, changed.output
    shown = run("show", REF, "R1")
    assert "· 3★ ·" in shown.output and "Bof, rien de grave finalement." in shown.output
    assert "intact (the review has changed since)" in shown.output
    after = store.case()
    assert (after.evidence_text, after.evidence_sha256) == (before.evidence_text, before.evidence_sha256)
