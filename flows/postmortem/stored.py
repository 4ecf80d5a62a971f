"""A resolved incident's report, stored: rendered in every language, written to files, the cell told.

`post_mortem_due` says whether a report is still owed; `store_post_mortem` stores it under the incident's
row lock, so a second run, or two at once, store one report and queue each message once (the outbox key
decides). The `post_mortem` flow (`flow.py`) runs it as a step of the protocol.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.kit.loading import version_opened_under
from flows.postmortem.facts import IncidentRecord
from flows.postmortem.metrics import Verdict, record_response_times
from flows.postmortem.notes import post_mortem_row
from flows.postmortem.reading import read_record
from flows.postmortem.render import ReportFormat, render_report
from models import (
    Incident,
    IncidentStatus,
    Participant,
    ParticipantStatus,
    Person,
    PostMortem,
    record_event,
)
from notifications import message_person
from notifications.render import LOCALES

DEFAULT_ZONE = "Europe/Paris"
TEMPLATE = "postmortem_ready"


@dataclass(frozen=True)
class StoredReport:
    """What the flow stored: where the files are (by locale and format), and who was told."""

    incident_id: int
    ref: str
    files: dict[str, str]  # e.g. {"fr.html": "/data/reports/CRI-2026-0001/postmortem.fr.html"}
    markdown_sha256: str
    notified: int


def post_mortem_due(session: Session, incident: Incident) -> bool:
    """True when the incident is resolved (or closed), or is a drill that was stopped, and no report has
    been stored for it yet."""
    resolved = incident.resolved_at is not None and incident.status in (
        IncidentStatus.RESOLVED,
        IncidentStatus.CLOSED,
    )
    stopped_drill = incident.is_drill and incident.status == IncidentStatus.CLOSED
    if not (resolved or stopped_drill):
        return False
    stored = session.scalar(
        select(PostMortem.id).where(
            PostMortem.incident_id == incident.id, PostMortem.rendered_at.is_not(None)
        )
    )
    return stored is None


def report_reader(session: Session, incident: Incident) -> tuple[str, ZoneInfo]:
    """The language and zone a stored report is written for: the kit's language, the lead's zone."""
    version = version_opened_under(session, incident)
    locale = str(((version.document if version else {}).get("kit") or {}).get("locale") or "fr")
    lead = session.get(Person, incident.lead_id) if incident.lead_id else None
    return locale, ZoneInfo(lead.timezone if lead else DEFAULT_ZONE)


def write_report_files(
    record: IncidentRecord, *, directory: Path, zone: ZoneInfo, as_of: datetime
) -> dict[str, str]:
    """Markdown and HTML in every language, under `directory/REF/`; each file replaced whole, never half."""
    folder = directory / record.ref
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for locale in LOCALES:
        for fmt in (ReportFormat.MD, ReportFormat.HTML):
            text = render_report(record, fmt=fmt, locale=locale, zone=zone, as_of=as_of)
            path = folder / f"postmortem.{locale}.{fmt.value}"
            partial = path.with_suffix(path.suffix + ".part")
            partial.write_text(str(text), encoding="utf-8")
            os.replace(partial, path)  # atomic: a reader never sees half a report
            written[f"{locale}.{fmt.value}"] = str(path)
    return written


def store_post_mortem(
    session: Session, *, incident_id: int, reports_dir: Path | None, now: datetime, available: set[str]
) -> StoredReport | None:
    """Render and store the report, and queue a message for each member who took a role; None if not due.

    Never commits: the caller's transaction holds the report row, the timeline event and the messages.
    """
    incident = session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()
    if not post_mortem_due(session, incident):
        return None
    record = read_record(session, incident_id=incident.id)
    locale, zone = report_reader(session, incident)
    markdown = str(render_report(record, fmt=ReportFormat.MD, locale=locale, zone=zone, as_of=now))
    files = write_report_files(record, directory=reports_dir, zone=zone, as_of=now) if reports_dir else {}
    row = post_mortem_row(session, incident=incident, at=now)
    row.locale, row.report_markdown, row.rendered_at = locale, markdown, now
    row.report_sha256 = hashlib.sha256(markdown.encode("utf-8")).hexdigest()
    row.report_path = files.get(f"{locale}.html")
    record_event(
        session,
        incident=incident,
        at=now,
        kind="postmortem",
        summary=f"post-mortem stored{': ' + row.report_path if row.report_path else ''}",
        new={"files": files, "sha256": row.report_sha256},
    )
    missed = sum(t.verdict is Verdict.MISSED for t in record_response_times(record, as_of=now))
    notified = _tell_the_cell(session, incident, record, files, missed, now, available)
    return StoredReport(incident.id, incident.ref, files, row.report_sha256, notified)


def _tell_the_cell(
    session: Session,
    incident: Incident,
    record: IncidentRecord,
    files: dict[str, str],
    missed: int,
    now: datetime,
    available: set[str],
) -> int:
    members = session.scalars(
        select(Person)
        .join(Participant, Participant.person_id == Person.id)
        .where(Participant.incident_id == incident.id, Participant.status == ParticipantStatus.ACKNOWLEDGED)
        .order_by(Participant.id)
    ).all()
    told = 0
    for person in dict.fromkeys(members):  # a person holding two roles hears once
        message_person(
            session,
            incident=incident,
            person=person,
            key=f"incident:{incident.id}/postmortem/person:{person.id}",
            template=TEMPLATE,
            context={
                "ref": record.ref,
                "target": record.target,
                "person_name": person.name,
                "missed": missed,
                "path": files.get(f"{person.locale}.html") or files.get("en.html"),
            },
            available=available,
            at=now,
        )
        told += 1
    return told
