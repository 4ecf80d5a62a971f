"""Render a post-mortem to Markdown, HTML or PDF, in French or English. Pure, apart from WeasyPrint's import.

The approach of `notifications.render`, for documents: templates are the only code, every value is data,
run through Jinja2's sandbox with `StrictUndefined`. HTML autoescapes; Markdown escapes every value in the
environment's `finalize`, so no template can forget to. Outside text is never compiled as a template.
Templates live in `templates/<locale>/` (the words) and `templates/common/` (the layouts): a locale may
override a layout by shipping its own.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from flows.postmortem import formatting
from flows.postmortem.charts import response_time_chart, signal_volume_chart
from flows.postmortem.facts import IncidentRecord
from flows.postmortem.lessons import Lesson, prefilled_lessons
from flows.postmortem.metrics import impact, record_response_times
from notifications.render import DRILL_PREFIX, LOCALES, clean_text, resolve_locale, truncate
from notifications.render import TEMPLATES_DIR as MESSAGE_TEMPLATES_DIR

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MAX_VALUE_CHARS = 20_000  # the intake's cap for outside text: a statement or a review is shown whole
SECTIONS = ("went_well", "went_wrong", "lucky")


class ReportFormat(enum.StrEnum):
    MD = "md"
    HTML = "html"
    PDF = "pdf"


class PdfUnavailable(RuntimeError):
    """WeasyPrint (the optional `pdf` extra) is not installed, or its system libraries are missing."""


def render_report(
    record: IncidentRecord, *, fmt: ReportFormat, locale: str, zone: ZoneInfo, as_of: datetime
) -> str | bytes:
    """The post-mortem of `record` as Markdown or HTML text, or PDF bytes."""
    if fmt is ReportFormat.PDF:
        return html_to_pdf(
            render_report(record, fmt=ReportFormat.HTML, locale=locale, zone=zone, as_of=as_of)
        )
    locale = resolve_locale(locale)
    template = _environment(locale, fmt.value).get_template(f"postmortem.{fmt.value}.j2")
    return template.render(report_context(record, locale=locale, zone=zone, as_of=as_of, fmt=fmt))


def report_context(
    record: IncidentRecord, *, locale: str, zone: ZoneInfo, as_of: datetime, fmt: ReportFormat
) -> dict[str, Any]:
    """What the templates see: the record, its metrics and lessons, and (HTML) its charts."""
    times = record_response_times(record, as_of=as_of)
    words = words_of(locale)
    lessons = prefilled_lessons(record, times, as_of=as_of)
    edited = {name: getattr(record.notes, name) for name in SECTIONS}
    context: dict[str, Any] = {
        "r": record,
        "impact": impact(record),
        "times": times,
        "lessons": {
            name: list(edited[name])
            if edited[name] is not None
            else [lesson_text(item, locale, zone) for item in getattr(lessons, name)]
            for name in SECTIONS
        },
        "prefilled": {name: edited[name] is None for name in SECTIONS},
        "zone": zone.key,
        "generated_at": as_of,
        "drill_prefix": DRILL_PREFIX[locale] if record.is_drill else "",
        "locale": locale,
    }
    if fmt is ReportFormat.HTML:
        durations = {t.key: formatting.duration(t.duration, locale) for t in times}
        context["charts"] = {
            "volume": signal_volume_chart(
                (s.at for s in record.signals),
                record.milestones,
                labels=words["milestones"],
                title=words["charts"]["volume"],
                zone=zone,
                empty=words["charts"]["no_signal"],
            ),
            "times": response_time_chart(
                times,
                labels=words["metrics"],
                durations=durations,
                title=words["charts"]["times"],
                empty=words["charts"]["no_time"],
            ),
        }
    return context


def lesson_text(lesson: Lesson, locale: str, zone: ZoneInfo) -> str:
    """One pre-filled lesson in words, e.g. "Acknowledge: 12 min, target 30 min"."""
    words = words_of(locale)
    values = {name: _word(value, name, words, locale, zone) for name, value in lesson.values.items()}
    return words["lessons"][lesson.code] % values


def _word(value: Any, name: str, words: dict[str, Any], locale: str, zone: ZoneInfo) -> str:
    if name == "metric":
        return words["metrics"].get(value, value)
    if name == "avenue":
        return words["avenues"].get(value, value)
    if name == "role":
        return words["roles"].get(value, value)
    if isinstance(value, datetime):
        return formatting.when(value, locale, zone)
    if isinstance(value, float):
        return formatting.number(value, locale, decimals=1)
    if value is None:
        return words["never"]
    if hasattr(value, "total_seconds"):
        return formatting.duration(value, locale)
    return clean_text(str(value))


@cache
def words_of(locale: str) -> dict[str, Any]:
    """The locale's vocabulary (`templates/<locale>/words.j2`), for wording things outside a template."""
    module = _environment(resolve_locale(locale), "md").get_template("words.j2").module
    return {name: getattr(module, name) for name in dir(module) if not name.startswith("_")}


def html_to_pdf(html: str) -> bytes:
    """The HTML report printed to PDF with WeasyPrint, imported only when a PDF is asked for."""
    try:
        from weasyprint import HTML  # type: ignore[import-not-found, unused-ignore]
    except (ImportError, OSError) as exc:  # OSError: the package is there, its Pango libraries are not
        raise PdfUnavailable(
            "PDF needs WeasyPrint: pip install 'cellule[pdf]' (and Pango on the system); "
            f"Markdown and HTML work without it ({exc.__class__.__name__}: {exc})"
        ) from None
    return bytes(HTML(string=html).write_pdf())


def _html_value(value: Any) -> Any:
    if isinstance(value, Markup):  # a chart or a quote built and escaped by our own code
        return value
    return clean_text(truncate("" if value is None else str(value), MAX_VALUE_CHARS))


def _md_value(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    return formatting.md_escape(truncate("" if value is None else str(value), MAX_VALUE_CHARS))


_FINALIZERS: dict[str, Callable[[Any], Any]] = {"html": _html_value, "md": _md_value}


@cache
def _environment(locale: str, variant: str) -> SandboxedEnvironment:
    """One sandboxed environment per locale and output: the locale's words, the common layouts, and the
    message templates' labels (attack types, roles, platforms) so both speak the same words."""
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}")
    env = SandboxedEnvironment(
        loader=FileSystemLoader(
            [TEMPLATES_DIR / locale, TEMPLATES_DIR / "common", MESSAGE_TEMPLATES_DIR / locale]
        ),
        undefined=StrictUndefined,
        finalize=_FINALIZERS[variant],
        autoescape=variant == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["when"] = _when_filter(locale)
    env.filters["duration"] = partial(formatting.duration, locale=locale)
    env.filters["number"] = partial(formatting.number, locale=locale)
    env.filters["percent"] = partial(formatting.percent, locale=locale)
    env.filters["quote"] = formatting.md_quote
    env.filters["short"] = lambda sha: (sha or "")[:12]
    return env


def _when_filter(locale: str) -> Callable[..., str]:
    @pass_context
    def when(context: Context, moment: datetime | None) -> str:
        """An instant in the reader's zone (the context's `zone`)."""
        return formatting.when(moment, locale, ZoneInfo(context["zone"]))

    return when
