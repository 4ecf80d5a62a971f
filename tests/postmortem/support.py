"""Helpers for post-mortem tests: read a record, render it, and find things in the HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from flows.postmortem import IncidentRecord, ReportFormat, read_record, render_report
from models import transaction
from tests.postmortem.scenario import Built

NOW = datetime(2026, 12, 30, 12, 0, tzinfo=UTC)  # when the reports are read: a month after the crisis
PARIS = ZoneInfo("Europe/Paris")


def record_of(sessions: sessionmaker[Session], built: Built) -> IncidentRecord:
    with transaction(sessions) as session:
        return read_record(session, incident_id=built.incident_id)


def render(record: IncidentRecord, fmt: str = "html", locale: str = "en", zone: ZoneInfo = PARIS) -> str:
    return str(render_report(record, fmt=ReportFormat(fmt), locale=locale, zone=zone, as_of=NOW))


class Element:
    """One parsed element: its tag, attributes, direct text, and children."""

    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag, self.attrs, self.text, self.children = tag, attrs, "", []

    def all(self, tag: str, css_class: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            classes = (child.attrs.get("class") or "").split()
            if child.tag == tag and (css_class is None or css_class in classes):
                found.append(child)
            found += child.all(tag, css_class)
        return found

    def texts(self) -> str:
        return self.text + "".join(c.texts() for c in self.children)


class Tree(HTMLParser):
    """A forgiving DOM: enough to find sections, tables and SVG shapes by tag and class."""

    VOID = frozenset({"meta", "br", "link", "img", "input", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].text += data


def parse(html: str) -> Element:
    return Tree(html).root


def section(root: Element, name: str) -> Element:
    """The report's section with this id (summary, impact, metrics, timeline…)."""
    return next(s for s in root.all("section") if s.attrs.get("id") == name)
