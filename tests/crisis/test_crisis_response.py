"""An attack opens an incident and the crisis flow alerts the cell — once, however often it runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cellule.engine import run_protocol
from cellule.reporting import report_attacks
from flows.intake.reports import parse_report
from models import (
    Incident,
    IncidentStatus,
    Notification,
    NotificationStatus,
    Participant,
    Signal,
    TimelineEvent,
    transaction,
)

pytestmark = pytest.mark.usefixtures("prefect_server")  # every test here runs Prefect flows

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def defamatory_review_at_hotel(n: int = 1, **overrides):
    """A 1-star Google review of the Hôtel des Lilas by someone who was never a guest."""
    fields = {
        "target": "Hôtel des Lilas",
        "platform": "google",
        "external_id": f"g-review-{n}",
        "author": f"Voyageur_{n}",
        "rating": 1,
        "text": "Chambre sale, personnel odieux. À fuir !",
        "observed_at": T0 + timedelta(minutes=5 * n),
    }
    return parse_report({**fields, **overrides})


def report_and_respond(runtime, *reports):
    """What `cellule report` does: store and triage, then run the protocol for incidents that changed."""
    outcomes = report_attacks(runtime, list(reports), source="cli")
    for incident_id in sorted({o.incident_id for o in outcomes if o.new_signal}):
        run_protocol(runtime, incident_id)
    return outcomes


def rows(sessions, model, *where):
    with transaction(sessions) as session:
        return session.scalars(select(model).where(*where).order_by(model.id)).all()


def test_a_defamatory_review_alerts_the_cell_the_playbook_asks_for(runtime, console):
    [outcome] = report_and_respond(runtime, defamatory_review_at_hotel())
    assert outcome.opened and outcome.incident_ref == "CRI-2026-0001"

    cell = rows(runtime.sessions, Participant)
    roles = [p.role for p in cell]
    assert roles[0] == "community_manager" and len(roles) == len(set(roles)) >= 2
    sent = rows(runtime.sessions, Notification)
    assert len(sent) == len(cell)
    assert all(n.status == NotificationStatus.SENT and n.channel == "console" for n in sent)
    assert all(n.sent_body and "CRI-2026-0001" in n.sent_body for n in sent)
    assert console.getvalue().count("CRI-2026-0001") >= len(cell)

    [incident] = rows(runtime.sessions, Incident)
    assert incident.status == IncidentStatus.MOBILISING
    kinds = [e.kind for e in rows(runtime.sessions, TimelineEvent)]
    assert kinds.count("called") == len(cell)
    assert "exit_on_top" in kinds


def test_running_the_protocol_again_sends_nothing_twice(runtime, console):
    [outcome] = report_and_respond(runtime, defamatory_review_at_hotel())
    printed = console.getvalue()
    before = len(rows(runtime.sessions, TimelineEvent))

    run_protocol(runtime, outcome.incident_id)
    run_protocol(runtime, outcome.incident_id)

    assert console.getvalue() == printed
    assert len(rows(runtime.sessions, TimelineEvent)) == before
    assert all(n.attempts == 1 for n in rows(runtime.sessions, Notification))


def test_the_same_review_reported_twice_alerts_nobody_again(runtime, console):
    report_and_respond(runtime, defamatory_review_at_hotel())
    printed = console.getvalue()
    [again] = report_and_respond(runtime, defamatory_review_at_hotel(text="Signalé aussi par un collègue"))

    assert not again.new_signal
    assert len(rows(runtime.sessions, Signal)) == 1
    assert len(rows(runtime.sessions, Incident)) == 1
    assert console.getvalue() == printed


def test_a_review_bombing_grows_the_cell_without_alerting_anyone_twice(runtime):
    report_and_respond(runtime, defamatory_review_at_hotel(1))
    first_cell = {(p.role, p.person_id) for p in rows(runtime.sessions, Participant)}

    report_and_respond(runtime, *(defamatory_review_at_hotel(n) for n in range(2, 6)))

    [incident] = rows(runtime.sessions, Incident)
    assert incident.attack_type == "review_bombing"
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).where(Signal.incident_id == incident.id)) == 5
    cell = {(p.role, p.person_id) for p in rows(runtime.sessions, Participant)}
    assert first_cell < cell  # the review-bombing playbook calls more roles; nobody is called twice
    keys = [n.key for n in rows(runtime.sessions, Notification)]
    assert len(keys) == len(cell) == len(set(keys))


def test_a_role_nobody_can_take_is_a_gap_on_the_timeline_and_in_the_alert(runtime, console):
    from models import RosterEntry

    with transaction(runtime.sessions) as session:
        for entry in session.scalars(select(RosterEntry).where(RosterEntry.role == "legal")):
            session.delete(entry)
    report_and_respond(runtime, defamatory_review_at_hotel(text="Mon avocat portera plainte."))

    gaps = [e.summary for e in rows(runtime.sessions, TimelineEvent, TimelineEvent.kind == "gap")]
    assert "nobody in the roster can take the role legal" in gaps
    assert "legal" not in {p.role for p in rows(runtime.sessions, Participant)}
    assert "ne peut tenir le rôle de conseil juridique" in console.getvalue()  # worded in French
