"""Slack escaping as a property: whatever an attacker writes, it reaches Slack as inert text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notifications import render_message, slack_escape
from notifications.render import clean_text, slack_unescape

ContextFactory = Callable[..., dict[str, Any]]

# Text biased towards what matters to Slack: brackets, ampersands, entities and mention syntax.
hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(list("<>&!@#|;*_~`\n ")), st.characters(codec="utf-8")),
    max_size=300,
) | st.lists(st.sampled_from(["<!channel>", "<!here>", "<@U1>", "&amp;", "&lt;", "<http://x|y>", "a"])).map(
    "".join
)


@given(hostile_text)
def test_escaping_round_trips(text: str) -> None:
    assert slack_unescape(slack_escape(text)) == text


@given(hostile_text)
def test_escaped_text_has_no_angle_brackets(text: str) -> None:
    escaped = slack_escape(text)

    assert "<" not in escaped and ">" not in escaped


@settings(max_examples=150, deadline=None)
@given(review=hostile_text, title=hostile_text, author=hostile_text)
def test_a_rendered_alert_carries_no_bracket_from_outside(
    alert_context: ContextFactory, review: str, title: str, author: str
) -> None:
    signal = {**alert_context()["signal"], "text": review, "author": author}
    slack_text = render_message("alert", "en", alert_context(signal=signal, title=title)).slack_text

    assert "<" not in slack_text and "<!" not in slack_text
    for line in slack_text.splitlines():
        # The only `>` left is the template's own blockquote marker at the start of a quoted line.
        assert ">" not in line.removeprefix(">")


@settings(max_examples=150, deadline=None)
@given(title=hostile_text.filter(lambda t: "\n" not in t and "*" not in t))
def test_an_escaped_value_still_says_what_was_written(alert_context: ContextFactory, title: str) -> None:
    slack_text = render_message("alert", "en", alert_context(title=title)).slack_text

    assert f"*{clean_text(title)}*" in slack_unescape(slack_text)
