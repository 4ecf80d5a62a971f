"""Rendering: a notification's template and context become plain text and Slack mrkdwn. Pure, no I/O.

Everything interpolated into a message may come from an attacker (review text, author names, titles
derived from posts), so the templates are the only code: values are data, passed through the Jinja2
sandbox with `StrictUndefined`, capped in size, stripped of control characters and, for Slack, escaped by
the environment's `finalize` hook so no template can forget to (DESIGN.md principle 6).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LOCALES = ("fr", "en")
FALLBACK_LOCALE = "en"  # someone whose language we lack more likely reads English than French
DRILL_PREFIX = {"fr": "EXERCICE —", "en": "DRILL —"}
MAX_VALUE_CHARS = 2000  # a ceiling for any one interpolated value, even where a template forgets to cap it

# C0/C1 controls except tab and newline, plus the bidi overrides that can make text read backwards.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("[\n\u2028\u2029]")
_SLACK_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


@dataclass(frozen=True)
class RenderedMessage:
    subject: str  # one line, for email subjects, Slack headers and console titles
    text: str  # plain text, for the console and email
    slack_text: str  # Slack mrkdwn; every interpolated value escaped


def slack_escape(text: str) -> str:
    """Escape the three characters Slack mrkdwn treats as control: `<!channel>` arrives as inert text."""
    for raw, entity in _SLACK_ESCAPES:
        text = text.replace(raw, entity)
    return text


def slack_unescape(text: str) -> str:
    """The inverse of `slack_escape` (`&amp;` last, so `&amp;lt;` becomes `&lt;`, not `<`)."""
    for raw, entity in reversed(_SLACK_ESCAPES):
        text = text.replace(entity, raw)
    return text


def clean_text(text: str) -> str:
    """Drop control characters (keeping newline and tab) so outside text cannot corrupt a terminal or mail."""
    return _CONTROL_CHARS.sub("", text)


def truncate(text: str, limit: int) -> str:
    """Cap `text` at `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def resolve_locale(locale: str) -> str:
    """The template locale for a person's locale: `fr`, `fr-CA` and `FR` read French; unknown ones English."""
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else FALLBACK_LOCALE


def render_message(template: str, locale: str, context: dict[str, Any]) -> RenderedMessage:
    """Render `template` (e.g. "alert") in `locale` with `context`; a missing context key raises.

    Drill messages (`context["is_drill"]`) start with the locale's drill marker in every variant.
    """
    locale = resolve_locale(locale)
    values = {**context, "is_drill": bool(context.get("is_drill", False))}
    subject = " ".join(_render(locale, "plain", f"{template}.subject.j2", values).split())
    text = _render(locale, "plain", f"{template}.txt.j2", values)
    slack_text = _render(locale, "slack", f"{template}.slack.j2", values)
    if values["is_drill"]:
        # Enforced here rather than in each template: principle 7 must not depend on a template author.
        prefix = DRILL_PREFIX[locale]
        subject, text, slack_text = (f"{prefix} {part}" for part in (subject, text, slack_text))
    return RenderedMessage(subject=subject, text=text, slack_text=slack_text)


def _render(locale: str, variant: str, name: str, values: dict[str, Any]) -> str:
    return _environment(locale, variant).get_template(name).render(values).strip()


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _plain_value(value: Any) -> str:
    # One value is one line: outside text with a line break could otherwise forge a line of the message
    # (a fake "Type:" line, a Slack quote that ends early). Multi-line text goes through `| lines`.
    return _LINE_BREAKS.sub(" ", clean_text(truncate(_as_text(value), MAX_VALUE_CHARS)))


def _slack_value(value: Any) -> str:
    return slack_escape(_plain_value(value))


_FINALIZERS: dict[str, Callable[[Any], str]] = {"plain": _plain_value, "slack": _slack_value}


@cache
def _environment(locale: str, variant: str) -> SandboxedEnvironment:
    """One sandboxed environment per locale and output variant, loading `templates/<locale>/`."""
    env = SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES_DIR / locale),
        undefined=StrictUndefined,
        finalize=_FINALIZERS[variant],
        autoescape=False,  # not HTML: the finalizer does the escaping each output needs
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["truncate"] = truncate
    env.filters["lines"] = _lines
    env.filters["when"] = _when_filter(locale)
    return env


def _lines(text: Any) -> list[str]:
    """The non-blank lines of a value, so templates can quote multi-line outside text line by line."""
    return [line.strip() for line in _as_text(text).splitlines() if line.strip()]


_WHEN_FORMATS = {"fr": "%d/%m/%Y à %H:%M", "en": "%d %b %Y, %H:%M"}


def _when_filter(locale: str) -> Callable[[Context, str], str]:
    @pass_context
    def when(context: Context, iso: str) -> str:
        """An ISO 8601 instant in the reader's time zone (context key `timezone`, UTC if absent)."""
        zone_name = context.get("timezone") or "UTC"
        try:
            zone: ZoneInfo | Any = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            zone, zone_name = UTC, "UTC"
        instant = datetime.fromisoformat(iso)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)  # the store only holds UTC (principle 5)
        return f"{instant.astimezone(zone).strftime(_WHEN_FORMATS[locale])} ({zone_name})"

    return when
