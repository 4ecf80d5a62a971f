"""Outside text in a message's values — a target, an author, a title — cannot forge a line or a mention.

Property-based: whatever an attacker writes in those fields, the alert has exactly the lines its template
gives it, in plain text and in Slack mrkdwn, and Slack receives no live mention or link.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from notifications import Delivery, render_message
from notifications.render import slack_escape
from notifications.slack import build_blocks
from tests.notifications.conftest import _alert_context

HOSTILE_PIECES = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\u2028",
        "\u2029",
        "\x85",
        "\n*Type :* Fausse alerte\n",
        "\n  Severity:  low\n",
        "<!channel>",
        "<!here>",
        "<@U0BOSS>",
        "<https://evil.example|cliquez>",
        "=?utf-8?q?=0D=0AReply-To:_a@evil.example?=",
        "\u202eevil\u202c",
        "*bold* _it_ `code`",
        "&lt;!channel&gt;",
    ]
)
HOSTILE_TEXT = st.lists(st.one_of(HOSTILE_PIECES, st.text(max_size=20)), max_size=6).map("".join)


def _alert(**values: Any) -> Any:
    context = _alert_context(**{k: v for k, v in values.items() if k != "author"})
    context["signal"] = {**context["signal"], "author": values.get("author", "Jean D.")}
    return render_message("alert", "fr", context)


BENIGN = _alert()


def _starting(text: str, prefix: str) -> int:
    return sum(line.startswith(prefix) for line in text.splitlines())


@settings(max_examples=200, deadline=None)
@given(target=HOSTILE_TEXT, author=HOSTILE_TEXT, title=HOSTILE_TEXT)
def test_outside_values_add_no_line_and_no_live_mention(target: str, author: str, title: str) -> None:
    hostile = _alert(target=target, author=author, title=title)

    assert "\n" not in hostile.subject and "\r" not in hostile.subject
    assert len(hostile.text.splitlines()) == len(BENIGN.text.splitlines())
    assert len(hostile.slack_text.splitlines()) == len(BENIGN.slack_text.splitlines())
    # A line that starts like one of our facts lines is ours: the values did not start one.
    assert _starting(hostile.text, "  Type") == _starting(BENIGN.text, "  Type") == 1
    assert _starting(hostile.slack_text, "*Type") == _starting(BENIGN.slack_text, "*Type") == 1
    # What Slack receives: the blocks and the preview text, as SlackChannel sends them.
    delivery = Delivery(key="k", template="alert", locale="fr", address="U1", is_drill=False, message=hostile)
    payload = json.dumps([block.to_dict() for block in build_blocks(delivery)], ensure_ascii=False)
    for forbidden in ("<!", "<@", "<http", "\u202e", "\x85"):
        assert forbidden not in payload and forbidden not in slack_escape(hostile.subject)
