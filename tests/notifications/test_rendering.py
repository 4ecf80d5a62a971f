"""Rendering: what a person reads, in their language, with outside text kept harmless."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from jinja2 import UndefinedError

from notifications import render_message

ContextFactory = Callable[..., dict[str, Any]]
HOSTILE_REVIEW = "Never stayed here. <!channel> <!here> <@U999> <https://evil.example|click> & co"


def test_an_alert_reads_in_french_for_a_french_speaker(alert_context: ContextFactory) -> None:
    message = render_message("alert", "fr", alert_context())

    assert message.subject == (
        "CRI-2026-0001 · Cellule de crise : nous avons besoin de vous comme community manager (Hôtel du Lac)"
    )
    for body in (message.text, message.slack_text):
        assert "Bonjour Alice Martin" in body
        assert "Avis diffamatoire" in body
        assert "Élevée" in body
        assert "Google" in body
        assert "Dirty rooms, rude staff. Avoid!" in body


def test_an_alert_reads_in_english_for_an_english_speaker(alert_context: ContextFactory) -> None:
    message = render_message("alert", "en", alert_context(role="legal_counsel", person_name="Bob Carter"))

    assert message.subject == "CRI-2026-0001 · Crisis cell: we need you as legal counsel (Hôtel du Lac)"
    for body in (message.text, message.slack_text):
        assert "Hello Bob Carter" in body
        assert "Defamatory review" in body
        assert "High" in body


def test_a_regional_or_unknown_locale_falls_back_to_a_language_we_have(alert_context: ContextFactory) -> None:
    assert render_message("alert", "fr-CA", alert_context()).subject.startswith("CRI-2026-0001 · Cellule")
    assert render_message("alert", "de", alert_context()).subject.startswith("CRI-2026-0001 · Crisis cell")


def test_a_role_without_a_label_is_shown_as_it_is(alert_context: ContextFactory) -> None:
    message = render_message("alert", "en", alert_context(role="night_porter"))

    assert "night_porter" in message.subject
    assert "the role of *night_porter*" in message.slack_text


@pytest.mark.parametrize("template", ["alert", "room_summary"])
@pytest.mark.parametrize("locale, marker", [("fr", "EXERCICE —"), ("en", "DRILL —")])
def test_drill_messages_are_marked_as_an_exercise_everywhere(
    template: str, locale: str, marker: str, alert_context: ContextFactory, room_context: ContextFactory
) -> None:
    context = alert_context() if template == "alert" else room_context()
    message = render_message(template, locale, {**context, "is_drill": True})

    assert message.subject.startswith(marker)
    assert message.text.startswith(marker)
    assert message.slack_text.startswith(marker)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_real_incidents_carry_no_exercise_marker(locale: str, alert_context: ContextFactory) -> None:
    message = render_message("alert", locale, alert_context())

    for part in (message.subject, message.text, message.slack_text):
        assert "EXERCICE" not in part and "DRILL" not in part


def test_the_room_summary_lists_the_cell_with_role_labels(room_context: ContextFactory) -> None:
    french = render_message("room_summary", "fr", room_context())
    english = render_message("room_summary", "en", room_context())

    assert "Alice Martin, community manager" in french.text
    assert "Bob Carter, conseil juridique" in french.text
    assert "Bob Carter, legal counsel" in english.slack_text
    assert english.subject == "CRI-2026-0001 · Crisis cell opened: Defamatory review (Hôtel du Lac)"


def test_times_are_shown_in_the_readers_time_zone(alert_context: ContextFactory) -> None:
    paris = render_message("alert", "fr", alert_context(timezone="Europe/Paris"))
    utc = render_message("alert", "en", alert_context())

    assert "14/03/2026 à 10:12 (Europe/Paris)" in paris.text
    assert "14 Mar 2026, 09:12 (UTC)" in utc.text


def test_a_long_review_is_cut_to_an_excerpt(alert_context: ContextFactory) -> None:
    signal = {**alert_context()["signal"], "text": "a" * 5000}
    message = render_message("alert", "en", alert_context(signal=signal))

    assert "a" * 499 + "…" in message.text
    assert "a" * 500 not in message.text
    assert "a" * 500 not in message.slack_text


def test_control_characters_never_reach_a_terminal_or_a_mailbox(alert_context: ContextFactory) -> None:
    signal = {**alert_context()["signal"], "text": "bad\x1b[2J\x07 stay\u202eevil\nsecond line\tok"}
    message = render_message("alert", "en", alert_context(signal=signal))

    assert "\x1b" not in message.text and "\x07" not in message.text and "\u202e" not in message.text
    assert "bad[2J stayevil" in message.text
    assert "  | second line\tok" in message.text


def test_outside_text_is_shown_not_run_as_a_template(alert_context: ContextFactory) -> None:
    payload = "{{ 7 * 7 }} {% for x in range(3) %}boom{% endfor %} {{ ''.__class__ }}"
    signal = {**alert_context()["signal"], "text": payload}
    message = render_message("alert", "en", alert_context(signal=signal, title=payload))

    assert payload in message.text
    assert "49" not in message.text and "boomboom" not in message.text


def test_a_hostile_title_cannot_break_the_subject_line(alert_context: ContextFactory) -> None:
    message = render_message("alert", "en", alert_context(target="Hôtel\r\nBcc: everyone@example.com"))

    assert "\n" not in message.subject and "\r" not in message.subject


def test_slack_text_escapes_every_mention_and_link_from_outside(alert_context: ContextFactory) -> None:
    signal = {**alert_context()["signal"], "text": HOSTILE_REVIEW, "author": "<@U123>"}
    message = render_message("alert", "en", alert_context(signal=signal))

    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U999&gt; &lt;https://evil.example|click&gt; &amp; co" in (
        message.slack_text
    )
    assert "by &lt;@U123&gt;" in message.slack_text
    assert "<" not in message.slack_text
    assert HOSTILE_REVIEW in message.text  # plain text is not mrkdwn: it stays as written


def test_a_context_missing_a_value_is_refused_rather_than_rendered_blank(
    alert_context: ContextFactory,
) -> None:
    context = alert_context()
    del context["target"]

    with pytest.raises(UndefinedError):
        render_message("alert", "en", context)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", "personne dans l'annuaire ne peut tenir le rôle de conseil juridique"),
        ("en", "nobody in the roster can take the role of legal counsel"),
    ],
)
def test_gaps_in_the_kit_are_worded_in_the_reader_s_language(alert_context, locale, expected) -> None:  # type: ignore[no-untyped-def]
    context = alert_context(gaps=[{"code": "no_one_for_role", "subject": "legal"}])
    message = render_message("alert", locale, context)
    assert expected in message.text
    assert expected.replace("'", "'") in message.slack_text
