"""What people type at any door is read the same way: draft labels, moments, and the CLI's hints."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cellule.commands.common import hint_for
from flows.lookups import draft_number, typed_moment
from flows.refusals import NotFound, Refusal

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("label", "number"), [("D1", 1), ("d12", 12), (" 3 ", 3), ("X1", None), ("D", None)])
def test_a_draft_label_names_the_same_draft_at_every_door(label, number):
    assert draft_number(label) == number


def test_a_typed_moment_is_in_the_readers_zone_unless_it_says_its_own():
    assert typed_moment("2026-11-26 10:15", zone=PARIS, now=NOW) == datetime(2026, 11, 26, 9, 15, tzinfo=UTC)
    assert typed_moment("2026-11-26T10:15+00:00", zone=PARIS, now=NOW) == datetime(
        2026, 11, 26, 10, 15, tzinfo=UTC
    )


def test_a_moment_that_records_what_happened_cannot_be_in_the_future():
    with pytest.raises(Refusal, match="in the future"):
        typed_moment("2026-11-26 14:00", zone=PARIS, now=NOW, past_only=True)
    with pytest.raises(Refusal, match="is not a date and time"):
        typed_moment("tomorrow", zone=PARIS, now=NOW)


def test_the_cli_adds_its_own_hint_to_a_refusal_whose_message_names_no_command():
    refusal = NotFound("CRI-2026-0001 has no draft 'D9'.", kind="no_draft", ref="CRI-2026-0001")
    assert "cellule" not in str(refusal)
    assert hint_for(refusal) == "`cellule drafts CRI-2026-0001` lists them."
    assert hint_for(Refusal("Something else.")) is None
