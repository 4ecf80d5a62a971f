"""Post-mortems: the timeline read back as a blameless report, in French or English, with its charts.

`read_record` reads an incident once; `render_report` turns it into Markdown, HTML or PDF; notes and action
items are edited through `export_notes` / `apply_notes`; `evidence_bundle` packs what a lawyer asks for;
the `post_mortem` flow stores the report when an incident resolves and tells the cell.

The flow is named here but imported only when asked for (`flows.postmortem.flow`): reading a post-mortem
must not start Prefect.
"""

from typing import Any

from flows.postmortem.evidence import evidence_bundle, incident_document
from flows.postmortem.facts import IncidentRecord, Notes, ResponseTargets
from flows.postmortem.lessons import Lesson, Lessons, prefilled_lessons
from flows.postmortem.metrics import (
    METRIC_KEYS,
    METRICS,
    Impact,
    ResponseTime,
    Verdict,
    impact,
    record_response_times,
    response_times,
)
from flows.postmortem.notes import NotesError, NotesFile, apply_notes, export_notes
from flows.postmortem.reading import UnknownIncident, read_record
from flows.postmortem.render import PdfUnavailable, ReportFormat, html_to_pdf, render_report
from flows.postmortem.stored import StoredReport, post_mortem_due, store_post_mortem
from flows.postmortem.targets import response_targets


def __getattr__(name: str) -> Any:
    if name == "post_mortem":
        from flows.postmortem.flow import post_mortem

        return post_mortem
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "METRICS",
    "METRIC_KEYS",
    "Impact",
    "IncidentRecord",
    "Lesson",
    "Lessons",
    "Notes",
    "NotesError",
    "NotesFile",
    "PdfUnavailable",
    "ReportFormat",
    "ResponseTargets",
    "ResponseTime",
    "StoredReport",
    "UnknownIncident",
    "Verdict",
    "apply_notes",
    "evidence_bundle",
    "export_notes",
    "html_to_pdf",
    "impact",
    "incident_document",
    "post_mortem",
    "post_mortem_due",
    "prefilled_lessons",
    "read_record",
    "record_response_times",
    "render_report",
    "response_targets",
    "response_times",
    "store_post_mortem",
]
