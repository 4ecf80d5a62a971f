"""The sample feed the user guide points to is a feed Cellule accepts, item by item."""

from __future__ import annotations

import json
from pathlib import Path

from flows.intake.reports import parse_report

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "signals.json"


def test_the_documented_sample_feed_is_accepted() -> None:
    items = json.loads(SAMPLE.read_text(encoding="utf-8"))["signals"]
    reports = [parse_report(item) for item in items]
    assert {r.target for r in reports} == {"Hôtel des Lilas"}
    assert [r.platform for r in reports] == ["google", "tripadvisor", "facebook"]
