"""The charts: signal volume with the milestones, each response time against its target — in the DOM, and
rendered by a real browser when one is installed."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from flows.postmortem.charts import bin_width, signal_bins, signal_volume_chart
from models import MILESTONES, Incident, Signal, transaction
from tests.postmortem.scenario import Built
from tests.postmortem.support import parse, record_of, render

MILESTONE_WORDS = {
    "en": [
        "first signal",
        "opened",
        "acknowledged",
        "approved",
        "holding statement",
        "published",
        "cell assembled",
        "resolved",
    ],
    "fr": [
        "premier signal",
        "ouverture",
        "prise en charge",
        "validé",
        "message d'attente",
        "publié",
        "cellule réunie",
        "résolu",
    ],
}


def signal_minutes(sessions: sessionmaker[Session], built: Built) -> list[int]:
    with transaction(sessions) as session:
        incident = session.get_one(Incident, built.incident_id)
        times = session.scalars(select(Signal.observed_at).where(Signal.incident_id == incident.id)).all()
        return [int((t - incident.first_signal_at).total_seconds() // 60) for t in times]


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_signal_chart_has_a_bar_per_busy_slot_and_a_line_per_milestone(
    locale: str, hotel: sessionmaker[Session], resolved: Built
) -> None:
    minutes = signal_minutes(hotel, resolved)  # 0, 3, 20, 50, 55, 130, 160: a 160-minute span
    chart = parse(render(record_of(hotel, resolved), "html", locale)).all("svg", "signal-volume")[0]
    bars = chart.all("rect", "bar")
    # A span under 4 hours is cut in 5-minute slots (48 at most): the busy ones are 0, 20, 50, 55, 130, 160.
    assert len(bars) == len({m // 5 for m in minutes}) == 6
    assert sum(int(b.attrs["data-count"]) for b in bars) == len(minutes) == 7
    assert [int(b.attrs["data-count"]) for b in bars] == [2, 1, 1, 1, 1, 1]
    marks = chart.all("g", "milestone")
    assert len(marks) == len(MILESTONES)  # every milestone was reached
    assert [m.all("text")[0].texts().split(" → ")[0] for m in marks] == MILESTONE_WORDS[locale]
    beyond = [m.attrs["data-milestone"] for m in marks if m.attrs["data-beyond"] == "true"]
    assert beyond == ["resolved_at"]  # three days later: on the right edge, not squeezing the bars


def test_the_response_chart_has_a_bar_per_measured_time_and_a_tick_per_target(
    hotel: sessionmaker[Session], drill: Built
) -> None:
    chart = parse(render(record_of(hotel, drill))).all("svg", "response-times")[0]
    bars = chart.all("rect", "bar")
    assert [b.attrs["data-metric"] for b in bars] == [
        "detect",
        "acknowledge",
        "assemble",
        "first_statement",
        "approval",
        "publication",
        "resolution",
    ]
    verdicts = {b.attrs["data-metric"]: b.attrs["class"].split()[1] for b in bars}
    # the drill: acknowledged in 12 min (30), assembled in 36 min (2 h), holding statement after 4 h 56 (4 h),
    # approval 90 min after the first draft (1 h)
    assert verdicts == {
        "detect": "untargeted",
        "acknowledge": "met",
        "assemble": "met",
        "first_statement": "missed",
        "approval": "missed",
        "publication": "untargeted",
        "resolution": "untargeted",
    }
    ticks = {t.attrs["data-metric"]: int(t.attrs["data-seconds"]) for t in chart.all("line", "target")}
    assert ticks == {"acknowledge": 1800, "assemble": 7200, "first_statement": 14400, "approval": 3600}
    labels = [t.texts() for t in chart.all("text", "label")]
    assert labels[:3] == ["Time to detect", "First acknowledgement", "Cell assembled"]


def test_chart_text_is_escaped() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    svg = signal_volume_chart(
        [t0],
        {"detected_at": t0},
        labels={"detected_at": "<img src=x onerror=alert(1)>"},
        title="</title><script>x</script>",
        zone=ZoneInfo("UTC"),
        empty="",
    )
    assert "<img" not in svg and "<script" not in svg
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg


def test_bins_are_round_and_never_more_than_48() -> None:
    t0 = datetime(2026, 1, 1, 9, 7, tzinfo=UTC)
    assert bin_width(t0, t0 + timedelta(hours=3, minutes=59)) == timedelta(minutes=5)
    assert bin_width(t0, t0 + timedelta(hours=4)) == timedelta(minutes=15)
    bins = signal_bins([t0, t0 + timedelta(days=20)])
    assert len(bins) <= 48 and bins[0].start <= t0 and sum(b.count for b in bins) == 2
    assert signal_bins([]) == []


PROBE = """<script>
const out = [...document.querySelectorAll("svg.chart")].map(svg => ({
  chart: svg.getAttribute("class"),
  width: svg.getBoundingClientRect().width,
  bars: [...svg.querySelectorAll("rect.bar")]
    .filter(r => r.getBBox().width > 0 && r.getBBox().height > 0).length,
  labels: [...svg.querySelectorAll("text")].filter(t => t.getComputedTextLength() > 0).length,
}));
document.body.insertAdjacentHTML("beforeend", "<pre id=probe>" + JSON.stringify(out) + "</pre>");
</script>"""


def test_a_browser_renders_the_charts(
    hotel: sessionmaker[Session], resolved: Built, tmp_path: Path, chromium: str
) -> None:
    html = render(record_of(hotel, resolved))
    # The report forbids scripts (its Content-Security-Policy): only this test's copy is allowed a probe.
    probe = html.replace('<meta http-equiv="Content-Security-Policy"', '<meta name="csp-off"').replace(
        "</body>", PROBE + "</body>"
    )
    page = tmp_path / "report.html"
    page.write_text(probe, encoding="utf-8")
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    found = json.loads(dom.split('<pre id="probe">')[1].split("</pre>")[0])
    assert [c["chart"] for c in found] == ["chart signal-volume", "chart response-times"]
    volume, times = found
    assert volume["bars"] == 6 and times["bars"] == 7
    assert volume["width"] > 300 and volume["labels"] >= 8 + 4  # milestones, axis ticks
    assert times["labels"] >= 7 * 2  # a name and a duration per measured time
