"""A feed: many reports in one JSON document (`[...]` or `{"signals": [...]}`), accepted whole or not at all.

The one size cap of a feed, whichever door brings it (a file to `cellule report --feed`, a batch posted to
the HTTP intake), and the one reading of a feed file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flows.intake.reports import IntakeError, SignalReport, parse_report

MAX_FEED_BYTES = 5_000_000  # a day of alerts from a monitoring tool; not a database dump


def read_feed(path: Path) -> list[SignalReport]:
    """A JSON list of reports (or {"signals": [...]}); any bad item refuses the whole feed."""
    if not path.is_file():
        raise IntakeError(f"{path}: no such file")
    raw = path.read_bytes()
    if len(raw) > MAX_FEED_BYTES:
        raise IntakeError(
            f"{path}: {len(raw):,} bytes is too large for one feed (at most {MAX_FEED_BYTES:,})"
        )
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise IntakeError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise IntakeError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    items = data.get("signals") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise IntakeError(f'{path}: expected a non-empty list of signals, or {{"signals": [...]}}')
    reports, problems = [], []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"signal {index}: expected an object")
            continue
        try:
            reports.append(parse_report(item))
        except IntakeError as exc:
            problems.extend(f"signal {index}: {line}" for line in str(exc).splitlines())
    if problems:
        raise IntakeError(f"{path}: nothing was stored\n" + "\n".join(problems))
    return reports
