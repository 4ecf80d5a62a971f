"""`cellule postmortem` and `cellule evidence`: an incident's blameless report, and its evidence bundle.

Reading commands: they change nothing, except `--notes` (the hot wash's notes and action items, one
transaction, all or nothing) and `--store` (the post-mortem flow: the stored report and the cell told).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from cellule.commands.common import console, fail, open_runtime, reader_zone
from cellule.commands.incidents import ZoneOption
from cellule.settings import get_settings
from flows.kit.loading import read_yaml_as
from flows.lookups import NOTES_FILE, file_bytes, incident_by_reference
from flows.postmortem import (
    IncidentRecord,
    NotesFile,
    PdfUnavailable,
    ReportFormat,
    StoredReport,
    apply_notes,
    evidence_bundle,
    export_notes,
    read_record,
    render_report,
)
from flows.postmortem.views import stored_report_path
from flows.reviews.evidence_files import bundle_attachments
from flows.runtime import Runtime
from models import transaction


class Language(enum.StrEnum):
    FR = "fr"
    EN = "en"


RefArgument = Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")]
LangOption = Annotated[
    Language | None, typer.Option("--lang", help="The report's language (default CELLULE_DEFAULT_LOCALE).")
]


def postmortem(
    ref: RefArgument,
    format_: Annotated[ReportFormat, typer.Option("--format", help="md, html or pdf.")] = ReportFormat.MD,
    lang: LangOption = None,
    tz: ZoneOption = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    notes: Annotated[
        Path | None, typer.Option("--notes", help="Store the notes and action items of this YAML file first.")
    ] = None,
    export: Annotated[
        Path | None, typer.Option("--export-notes", help="Write the notes to edit as YAML, and stop.")
    ] = None,
    as_: Annotated[
        str | None, typer.Option("--as", help="Who edits the notes (your key in the kit).")
    ] = None,
    store: Annotated[
        bool, typer.Option("--store", help="Run the post-mortem flow: store the report, tell the cell.")
    ] = False,
) -> None:
    """Render an incident's post-mortem (or a drill's), in the reader's language and time zone."""
    zone, locale = reader_zone(tz), (lang or Language(_default_locale())).value
    runtime = open_runtime()
    if notes is not None:
        _store_notes(runtime, ref, notes, as_, zone)
    if store:
        _store(runtime, ref)
        return
    record = _record(runtime, ref)
    if export is not None:
        _write(export, export_notes(record, locale=locale, zone=zone, as_of=runtime.now()))
        console.print(f"✓ Notes of {record.ref} written to {escape(str(export))}: edit, then --notes.")
        return
    if format_ is ReportFormat.PDF and output is None:
        fail("A PDF goes to a file: add -o report.pdf.", code=2)
    try:
        rendered = render_report(record, fmt=format_, locale=locale, zone=zone, as_of=runtime.now())
    except PdfUnavailable as exc:
        fail(escape(str(exc)), code=1)
    if output is None:
        sys.stdout.write(str(rendered))
        return
    _write(output, rendered)
    console.print(f"✓ Post-mortem of {record.ref} written to {escape(str(output))}.")


def evidence(
    ref: RefArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="The zip to write, e.g. bundle.zip.")],
    lang: LangOption = None,
    tz: ZoneOption = None,
) -> None:
    """Write the evidence bundle: the incident as JSON, its report, every evidence snapshot, SHA256SUMS."""
    zone, locale = reader_zone(tz), (lang or Language(_default_locale())).value
    runtime = open_runtime()
    record, now = _record(runtime, ref), runtime.now()
    html = str(render_report(record, fmt=ReportFormat.HTML, locale=locale, zone=zone, as_of=now))
    markdown = str(render_report(record, fmt=ReportFormat.MD, locale=locale, zone=zone, as_of=now))
    with transaction(runtime.sessions) as session:
        attachments = bundle_attachments(session, incident_id=record.id)
    _write(output, evidence_bundle(record, html=html, markdown=markdown, at=now, attachments=attachments))
    console.print(
        f"✓ Evidence of {record.ref} written to {escape(str(output))} ({len(record.reviews)} snapshot(s), "
        f"{len(attachments)} attached file(s)); "
        "unzip it and run `sha256sum -c SHA256SUMS` in its folder to verify."
    )


def run_post_mortem(runtime: Runtime, incident_id: int) -> StoredReport | None:
    """Run the post-mortem flow in this process; the files go to the runtime's `reports_dir`.

    The protocol run after a resolution does this already; this is for asking again. None when not due.
    """
    from cellule.prefect_env import quiet_flow_runs
    from flows.postmortem import post_mortem
    from flows.runtime import use_runtime

    reports_dir = runtime.reports_dir
    with use_runtime(runtime), quiet_flow_runs():
        return post_mortem(incident_id, str(reports_dir) if reports_dir else None)


def _default_locale() -> str:
    locale = get_settings().default_locale
    return locale if locale in {lang.value for lang in Language} else Language.EN.value


def _record(runtime: Runtime, ref: str) -> IncidentRecord:
    with transaction(runtime.sessions) as session:
        return read_record(session, incident_id=incident_by_reference(session, ref=ref).id)


def _store_notes(runtime: Runtime, ref: str, path: Path, by: str | None, zone: ZoneInfo) -> None:
    file_bytes(path, cap=NOTES_FILE)  # refused before the YAML reader sees a huge or missing file
    notes = read_yaml_as(path, NotesFile)
    with transaction(runtime.sessions) as session:
        incident = incident_by_reference(session, ref=ref)
        apply_notes(session, incident=incident, notes=notes, by=by or "cli", zone=zone, at=runtime.now())
    console.print(f"✓ Notes of {ref.upper()} stored.")


def _store(runtime: Runtime, ref: str) -> None:
    with transaction(runtime.sessions) as session:
        incident_id = incident_by_reference(session, ref=ref).id
    with console.status("Storing the post-mortem (Prefect)…"):
        stored = run_post_mortem(runtime, incident_id)
    if stored is None:
        console.print(f"No post-mortem due for {ref.upper()}: not resolved yet, or its report is stored.")
        return
    with transaction(runtime.sessions) as session:
        where = stored_report_path(session, incident_id=stored.incident_id) or "the database"
    console.print(
        f"✓ Post-mortem of {stored.ref} stored ({escape(where)}); {stored.notified} member(s) told."
    )


def _write(path: Path, content: str | bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        fail(escape(f"Cannot write {path}: {exc.strerror or exc}."), code=1)
