"""How numbers, durations and instants read in French and in English. Pure, no I/O.

Times are stored in UTC (DESIGN.md principle 5) and shown in the reader's zone, always with the zone's name
nearby so a report forwarded across time zones is never misread.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from notifications.render import clean_text

_WHEN = {"fr": "%d/%m/%Y %H:%M", "en": "%d %b %Y, %H:%M"}
_DAY_UNIT = {"fr": "j", "en": "d"}
_THOUSANDS = {"fr": "\u202f", "en": ","}  # French groups digits with a narrow no-break space
_DECIMAL = {"fr": ",", "en": "."}
# Markdown punctuation that could turn outside text into a link, an image, HTML, emphasis or a table cell.
_MD_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>|#~&!"})  # str.translate: one pass, in C
# Line breaks and runs of spaces, but not the no-break spaces French typography relies on.
_BLANKS = re.compile("[\t\n\v\f\r \x85\u2028\u2029]+")


def when(moment: datetime | None, locale: str, zone: ZoneInfo) -> str:
    """An instant in the reader's zone, e.g. "26/11/2026 10:05" or "26 Nov 2026, 10:05"; "—" if unknown."""
    if moment is None:
        return "—"
    return moment.astimezone(zone).strftime(_WHEN[locale])


def duration(span: timedelta | None, locale: str) -> str:
    """A duration as people say it: "45 s", "12 min", "1 h 05", "2 j 3 h" / "2 d 3 h"; "—" if unknown."""
    if span is None:
        return "—"
    sign, seconds = ("-" if span < timedelta(0) else ""), int(abs(span.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days} {_DAY_UNIT[locale]}" + (f" {hours} h" if hours else "")
    elif hours:
        text = f"{hours} h {minutes:02d}"
    elif minutes:
        text = f"{minutes} min"
    else:
        text = f"{secs} s"
    return sign + text


def number(value: float | int | None, locale: str, *, decimals: int = 0) -> str:
    """A number with the locale's grouping and decimal mark; "—" if unknown."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", _DECIMAL[locale]).replace("\x00", _THOUSANDS[locale])


def percent(share: float | None, locale: str) -> str:
    """A share in [0, 1] as a whole percentage: "67 %" in French, "67%" in English."""
    if share is None:
        return "—"
    return f"{round(share * 100)}\u202f%" if locale == "fr" else f"{round(share * 100)}%"


def md_escape(text: str) -> str:
    """Outside text made inert in Markdown, on one line: no link, image, HTML, emphasis or table break.

    Backslash escapes are CommonMark's own, so a renderer shows the characters as they were written.
    """
    return _BLANKS.sub(" ", clean_text(text)).translate(_MD_ESCAPES)


def md_quote(text: str) -> Markup:
    """Multi-line outside text as a Markdown block quote, each line escaped (marked safe for `finalize`)."""
    lines = [md_escape(line).strip() for line in clean_text(text).splitlines()]
    return Markup("\n".join(f"> {line}" if line else ">" for line in lines) or ">")
