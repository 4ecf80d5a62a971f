"""Charts as inline SVG, hand-built: no dependency, no script, readable in a browser, a PDF or a mail.

Every piece of text in a chart goes through `escape`, because labels can carry outside words (a target's
name, a person's). Shapes carry `class` and `data-*` attributes so tests (and people) can read the numbers
back from the document.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from flows.postmortem.metrics import ResponseTime, Verdict

WIDTH, HEIGHT = 720, 240
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 16, 28, 44
MAX_BINS = 48
# Bin widths a person reads without arithmetic, smallest first.
BIN_WIDTHS = tuple(
    timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 180, 360, 720, 1440, 2880, 10080, 43200, 525600)
)
_COLOURS = {Verdict.MET: "#2e7d32", Verdict.MISSED: "#c62828", None: "#78909c"}
_FONT = 'font-family="sans-serif" font-size="11"'
# Gridlines of the log scale, in units nobody has to convert.
_SCALE = (
    (60, "1 min"),
    (600, "10 min"),
    (3600, "1 h"),
    (6 * 3600, "6 h"),
    (86400, "24 h"),
    (7 * 86400, "7 × 24 h"),
)


@dataclass(frozen=True)
class Bin:
    start: datetime
    count: int


def bin_width(start: datetime, end: datetime) -> timedelta:
    """The smallest readable width that covers [start, end] in at most MAX_BINS bins."""
    span = max(end - start, timedelta(0))
    for width in BIN_WIDTHS:
        if span < width * MAX_BINS:
            return width
    return BIN_WIDTHS[-1]


def signal_bins(times: Iterable[datetime], *, until: datetime | None = None) -> list[Bin]:
    """Signals counted per bin, from the bin of the first to the bin of the last (or `until`)."""
    ordered = sorted(times)
    if not ordered:
        return []
    end = max(ordered[-1], until or ordered[-1])
    width = bin_width(ordered[0], end)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    first = epoch + width * ((ordered[0] - epoch) // width)  # aligned, so bins start on round times
    counts = [0] * (int((end - first) // width) + 1)
    for moment in ordered:
        counts[int((moment - first) // width)] += 1
    return [Bin(first + width * i, n) for i, n in enumerate(counts)]


def _svg(title: str, body: list[str], css_class: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" {_FONT}>'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, words: str, *, anchor: str = "start", css: str = "label") -> str:
    return f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(words)}</text>'


def signal_volume_chart(
    times: Iterable[datetime],
    milestones: Mapping[str, datetime | None],
    *,
    labels: Mapping[str, str],
    title: str,
    zone: ZoneInfo,
    empty: str,
) -> Markup:
    """Signals per bin as bars, each reached milestone a labelled vertical line, times in `zone`.

    The chart spans the signals and the response, not the resolution: a crisis resolved days after its
    last signal would squeeze every bar into one. Milestones past the end sit on the right edge.
    """
    reached = {k: v for k, v in milestones.items() if v is not None}
    active = [v for k, v in reached.items() if k != "resolved_at"]
    bins = signal_bins(times, until=max(active, default=None))
    if not bins:
        return _svg(title, [_text(WIDTH / 2, HEIGHT / 2, empty, anchor="middle")], "signal-volume")
    width = bins[1].start - bins[0].start if len(bins) > 1 else bin_width(bins[0].start, bins[0].start)
    start, end = bins[0].start, bins[-1].start + width
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    peak = max(b.count for b in bins)

    def x_of(moment: datetime) -> float:
        return _LEFT + plot_w * ((moment - start) / (end - start))

    slot = plot_w / len(bins)
    body = [
        f'<line class="axis" x1="{_LEFT}" y1="{_TOP + plot_h}" x2="{WIDTH - _RIGHT}" y2="{_TOP + plot_h}" '
        'stroke="#455a64"/>',
        _text(_LEFT - 6, _TOP + 4, str(peak), anchor="end", css="tick"),
        _text(_LEFT - 6, _TOP + plot_h, "0", anchor="end", css="tick"),
        _text(_LEFT, HEIGHT - 22, _local(start, zone), css="tick"),
        _text(WIDTH - _RIGHT, HEIGHT - 22, _local(end, zone), anchor="end", css="tick"),
    ]
    for i, b in enumerate(bins):
        if b.count == 0:
            continue
        h = plot_h * b.count / peak
        body.append(
            f'<rect class="bar" data-count="{b.count}" data-start="{b.start.isoformat()}" '
            f'x="{_LEFT + i * slot + 0.5:.1f}" y="{_TOP + plot_h - h:.1f}" width="{max(slot - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="#1e88e5">'
            f"<title>{escape(_local(b.start, zone))}: {b.count}</title></rect>"
        )
    for n, (key, moment) in enumerate(sorted(reached.items(), key=lambda item: item[1])):
        beyond = moment > end
        x = x_of(min(max(moment, start), end))
        y = _TOP - 16 + 11 * (n % 4)  # staggered: milestones minutes apart must not print over each other
        right = x > _LEFT + plot_w * 0.7
        words = labels.get(key, key) + (f" → {_local(moment, zone)}" if beyond else "")
        label = _text(x - 3 if right else x + 3, y, words, anchor="end" if right else "start")
        body.append(
            f'<g class="milestone" data-milestone="{escape(key)}" data-beyond="{str(beyond).lower()}">'
            f'<line x1="{x:.1f}" y1="{y + 2:.1f}" x2="{x:.1f}" y2="{_TOP + plot_h}" stroke="#6d4c41" '
            f'stroke-dasharray="3 2"/>{label}</g>'
        )
    return _svg(title, body, "signal-volume")


def response_time_chart(
    times: Iterable[ResponseTime],
    *,
    labels: Mapping[str, str],
    durations: Mapping[str, str],
    title: str,
    empty: str,
) -> Markup:
    """One bar per measured response time on a shared log scale, each target a tick on its row.

    A log scale, because a crisis mixes minutes (acknowledging) and days (resolving) and both must show.
    """
    rows = [t for t in times if t.duration is not None]
    if not rows:
        return _svg(title, [_text(WIDTH / 2, HEIGHT / 2, empty, anchor="middle")], "response-times")
    longest = max(max(t.duration.total_seconds(), (t.target or timedelta()).total_seconds()) for t in rows)  # type: ignore[union-attr]
    low, high = math.log10(30), math.log10(max(longest * 1.25, 60))
    label_w, plot_w = 150, WIDTH - 150 - _RIGHT - 80
    top, bottom = 10, HEIGHT - 22
    row_h = (bottom - top) / len(rows)

    def x_of(seconds: float) -> float:
        scaled = (math.log10(max(seconds, 30)) - low) / (high - low)
        return label_w + plot_w * min(max(scaled, 0.0), 1.0)

    body = []
    for seconds, words in _SCALE:
        if low <= math.log10(seconds) <= high:
            x = x_of(seconds)
            body.append(
                f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#cfd8dc"/>'
                + _text(x, HEIGHT - 8, words, anchor="middle", css="tick")
            )
    for i, t in enumerate(rows):
        seconds = t.duration.total_seconds()  # type: ignore[union-attr]
        y = top + i * row_h + 2
        bar_h = min(row_h * 0.6, 18)
        verdict = t.verdict if t.verdict in (Verdict.MET, Verdict.MISSED) else None
        body.append(_text(label_w - 8, y + bar_h - 4, labels.get(t.key, t.key), anchor="end"))
        body.append(
            f'<rect class="bar {verdict or "untargeted"}" data-metric="{t.key}" data-seconds="{seconds:.0f}" '
            f'x="{label_w}" y="{y:.1f}" width="{max(x_of(seconds) - label_w, 1):.1f}" height="{bar_h:.1f}" '
            f'fill="{_COLOURS[verdict]}"/>'
        )
        body.append(_text(x_of(seconds) + 4, y + bar_h - 4, durations.get(t.key, ""), css="value"))
        if t.target is not None:
            tx = x_of(t.target.total_seconds())
            body.append(
                f'<line class="target" data-metric="{t.key}" data-seconds="{t.target.total_seconds():.0f}" '
                f'x1="{tx:.1f}" y1="{y - 3:.1f}" x2="{tx:.1f}" y2="{y + bar_h + 3:.1f}" stroke="#212121" '
                'stroke-width="2"/>'
            )
    return _svg(title, body, "response-times")


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d/%m %H:%M")
