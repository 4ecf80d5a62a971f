"""The post-mortem flow: due once the incident resolves, stores the report once, tells the cell once."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cellule.engine import tick_open_incidents
from flows.postmortem import post_mortem, post_mortem_due, store_post_mortem
from flows.runtime import Runtime, SimulatedClock, use_runtime
from models import (
    Incident,
    IncidentStatus,
    Notification,
    NotificationStatus,
    Person,
    PostMortem,
    transaction,
)
from notifications import ConsoleChannel
from tests.postmortem.scenario import Built
from tests.postmortem.support import NOW

# Who took a role in CRI-2026-0001 (Henri declined): they are told, once each.
TOOK_A_ROLE = ["claire.morel", "sophie.marchand", "isabelle.delacroix", "anne.roux"]


def store(sessions: sessionmaker[Session], built: Built, reports: Path | None):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return store_post_mortem(
            session, incident_id=built.incident_id, reports_dir=reports, now=NOW, available={"console"}
        )


def test_a_report_is_due_once_resolved_and_until_stored(
    hotel: sessionmaker[Session], resolved: Built, tmp_path: Path
) -> None:
    with transaction(hotel) as session:
        incident = session.get_one(Incident, resolved.incident_id)
        incident.status = IncidentStatus.EXITING
        assert not post_mortem_due(session, incident)
        incident.status = IncidentStatus.RESOLVED
        assert post_mortem_due(session, incident)
    stored = store(hotel, resolved, tmp_path)
    assert stored is not None and store(hotel, resolved, tmp_path) is None
    with transaction(hotel) as session:
        assert not post_mortem_due(session, session.get_one(Incident, resolved.incident_id))


def test_the_report_is_stored_in_files_and_a_row_and_the_cell_is_told(
    hotel: sessionmaker[Session], resolved: Built, tmp_path: Path
) -> None:
    stored = store(hotel, resolved, tmp_path)
    assert stored is not None
    folder = tmp_path / "CRI-2026-0001"
    assert sorted(p.name for p in folder.iterdir()) == [
        "postmortem.en.html",
        "postmortem.en.md",
        "postmortem.fr.html",
        "postmortem.fr.md",
    ]
    assert "<h2>Chronologie</h2>" in (folder / "postmortem.fr.html").read_text(encoding="utf-8")
    with transaction(hotel) as session:
        row = session.scalars(select(PostMortem)).one()
        assert row.rendered_at == NOW and row.locale == "fr"  # the hotel kit's language
        assert row.report_path == str(folder / "postmortem.fr.html")
        assert row.report_markdown == (folder / "postmortem.fr.md").read_text(encoding="utf-8")
        messages = session.execute(
            select(Person.key, Notification.key, Notification.template, Notification.context)
            .join(Person, Person.id == Notification.person_id)
            .order_by(Notification.id)
        ).all()
    assert [key for key, *_ in messages] == TOOK_A_ROLE and stored.notified == 4
    assert all(k.startswith(f"incident:{resolved.incident_id}/postmortem/person:") for _, k, _, _ in messages)
    assert {t for _, _, t, _ in messages} == {"postmortem_ready"}
    assert messages[0][3]["path"] == str(folder / "postmortem.fr.html") and messages[0][3]["missed"] == 1


def test_without_a_folder_the_report_is_kept_in_the_database(
    hotel: sessionmaker[Session], resolved: Built
) -> None:
    stored = store(hotel, resolved, None)
    assert stored is not None and stored.files == {}
    with transaction(hotel) as session:
        row = session.scalars(select(PostMortem)).one()
        assert row.report_path is None and row.report_markdown.startswith(
            "# Retour d'expérience — CRI-2026-0001"
        )
        assert all(n.context["path"] is None for n in session.scalars(select(Notification)))


def test_the_flow_stores_and_sends_once_for_a_drill_marked_as_exercise(
    prefect_server: None, hotel: sessionmaker[Session], drill: Built, tmp_path: Path
) -> None:
    console = io.StringIO()
    runtime = Runtime(
        sessions=hotel, channels={"console": ConsoleChannel(console)}, clock=SimulatedClock(NOW)
    )
    with use_runtime(runtime):
        first = post_mortem(drill.incident_id, str(tmp_path))
        again = post_mortem(drill.incident_id, str(tmp_path))
    assert first is not None and again is None
    assert first.files["en.html"].endswith("EXE-2026-0001/postmortem.en.html")
    with transaction(hotel) as session:
        sent = session.scalars(select(Notification).order_by(Notification.id)).all()
        assert [n.status for n in sent] == [
            NotificationStatus.SENT
        ] * 2  # the drill's cell: Claire and Sophie
        assert all(n.is_drill for n in sent)
    output = console.getvalue()
    assert output.count("EXERCICE — EXE-2026-0001 · Retour d'expérience prêt") == 2
    assert "EXE-2026-0001/postmortem.fr.html" in output


def test_the_tick_writes_a_report_its_resolution_left_behind_then_leaves_the_incident_alone(
    prefect_server: None, hotel: sessionmaker[Session], resolved: Built, tmp_path: Path
) -> None:
    console = io.StringIO()
    runtime = Runtime(
        sessions=hotel,
        channels={"console": ConsoleChannel(console)},
        clock=SimulatedClock(NOW),
        reports_dir=tmp_path,
    )
    assert tick_open_incidents(runtime) == 1  # resolved, its report not stored: the process died first
    assert tick_open_incidents(runtime) == 0
    with transaction(hotel) as session:
        path = session.scalars(select(PostMortem.report_path)).one()
    assert path == str(tmp_path / "CRI-2026-0001" / "postmortem.fr.html")
    assert console.getvalue().count("CRI-2026-0001 · Retour d'expérience prêt") == len(TOOK_A_ROLE)
