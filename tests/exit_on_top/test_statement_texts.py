"""Both exit-on-top branches produce their statements in French and English, from the kit's templates.

The holding statement holds the line while the facts are checked; *already handled* shows the guidelines
and how they are applied; *not handled* apologises, lists the commitments and thanks the public.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flows.exit_on_top.statements import UNWRITTEN, format_day, render_statement
from models import DraftKind, DraftStatus

COMMITMENT = {"text": "Former toute l'équipe d'accueil", "due": "31 décembre 2026"}
VALUES = {
    "org": "Hôtel des Lilas",
    "target": "Hôtel des Lilas",
    "guidelines_url": None,
    "commitments": [COMMITMENT],
}


@pytest.mark.parametrize(
    ("template", "locale", "phrases"),
    [
        (
            "statement_holding",
            "fr",
            ["Nous vérifions les faits", "Nous reviendrons vers vous", "Hôtel des Lilas"],
        ),
        (
            "statement_holding",
            "en",
            ["We are checking the facts", "We will come back to you", "Hôtel des Lilas"],
        ),
        (
            "statement_already_handled",
            "fr",
            [
                "ce sujet est traité chez nous depuis longtemps",
                "Nos règles internes",
                "Comment nous les appliquons",
            ],
        ),
        (
            "statement_already_handled",
            "en",
            [
                "this subject has been handled here for a long time",
                "Our internal guidelines",
                "How we apply them",
            ],
        ),
        (
            "statement_apology",
            "fr",
            [
                "nous n'avons pas agi assez tôt. Nous vous présentons nos excuses.",
                "plan d'action",
                "- Former toute l'équipe d'accueil (d'ici le 31 décembre 2026)",
                "Merci de nous avoir aidés à nous améliorer.",
            ],
        ),
        (
            "statement_apology",
            "en",
            [
                "we did not act soon enough. We apologise.",
                "action plan",
                "- Former toute l'équipe d'accueil (by 31 décembre 2026)",
                "Thank you for helping us do better.",
            ],
        ),
    ],
)
def test_each_statement_says_what_its_branch_must_say(template, locale, phrases):
    text = render_statement(template, locale, VALUES)
    for phrase in phrases:
        assert phrase in text
    assert "{{" not in text and "{%" not in text
    assert "\n\n\n" not in text and all(line == line.rstrip() for line in text.splitlines())


def test_the_holding_statement_and_the_apology_are_complete_the_guidelines_are_for_the_cell_to_write():
    for locale in ("fr", "en"):
        assert UNWRITTEN not in render_statement("statement_holding", locale, VALUES)
        assert UNWRITTEN not in render_statement("statement_apology", locale, VALUES)
        assert UNWRITTEN in render_statement("statement_already_handled", locale, VALUES)


def test_an_apology_without_commitments_leaves_them_to_write():
    for locale in ("fr", "en"):
        assert UNWRITTEN in render_statement("statement_apology", locale, {**VALUES, "commitments": []})


def test_the_published_guidelines_are_linked_when_the_kit_names_them():
    url = "https://hoteldeslilas.example/charte-accueil"
    text = render_statement("statement_already_handled", "fr", {**VALUES, "guidelines_url": url})
    assert f"Nos règles internes sont publiques : {url}" in text


@pytest.mark.parametrize(("locale", "marker"), [("fr", "EXERCICE —"), ("en", "DRILL —")])
def test_a_drill_statement_is_marked_as_an_exercise(locale, marker):
    assert render_statement("statement_holding", locale, VALUES, is_drill=True).startswith(marker)
    assert not render_statement("statement_holding", locale, VALUES).startswith(marker)


def test_due_dates_read_as_each_language_writes_them():
    due = datetime(2026, 12, 31, 22, 59, tzinfo=UTC)
    assert format_day(due, "fr", "Europe/Paris") == "31 décembre 2026"
    assert format_day(due, "en", "Europe/London") == "31 December 2026"
    assert format_day(due, "en", "Asia/Tokyo") == "1 January 2027"  # the owner's day, not UTC's


def test_a_bilingual_playbook_drafts_each_statement_in_french_and_english(bilingual):
    holding = [bilingual.draft(i) for i in bilingual.propose(DraftKind.HOLDING_STATEMENT)]
    assert [(d.locale, d.kind, d.status) for d in holding] == [
        ("fr", "holding_statement", DraftStatus.AWAITING_APPROVAL),
        ("en", "holding_statement", DraftStatus.AWAITING_APPROVAL),
    ]
    assert "Nous vérifions les faits" in holding[0].text and "We are checking the facts" in holding[1].text

    handled = [bilingual.draft(i) for i in bilingual.propose(DraftKind.STATEMENT, by="sophie.marchand")]
    assert [d.locale for d in handled] == ["fr", "en"]
    assert "Nos règles internes" in handled[0].text and "Our internal guidelines" in handled[1].text

    bilingual.commit("Former toute l'équipe d'accueil avant le 31 décembre")
    apology = [bilingual.draft(i) for i in bilingual.propose(DraftKind.APOLOGY, by="sophie.marchand")]
    assert [(d.locale, d.kind) for d in apology] == [("fr", "apology"), ("en", "apology")]
    assert "Nous vous présentons nos excuses" in apology[0].text and "We apologise" in apology[1].text
    assert "(d'ici le 26 décembre 2026)" in apology[0].text and "(by 26 December 2026)" in apology[1].text


def test_drafting_again_proposes_nothing_more(cell):
    assert len(cell.propose()) == 1
    assert cell.propose() == []
    assert [d.label for d in cell.drafts()] == ["D1"]
    assert len(cell.timeline("statement_drafted")) == 1


def test_the_holding_statement_goes_to_the_approvers_of_the_cell(cell):
    [draft_id] = cell.propose(by="claire.morel")
    asked = sorted(n.key.rsplit("/", 1)[-1] for n in cell.outbox("approval_request"))
    assert len(asked) == 3  # Sophie and Emma (comms leads), Anne (legal); not Claire, who holds the pen
    assert cell.draft(draft_id).author_id not in {int(a.removeprefix("person:")) for a in asked}
