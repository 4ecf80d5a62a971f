"""The exit-on-top phase as a flow: on a simulated clock with scripted people, and run again and again.

The hotel's defamatory-review playbook at medium severity calls a community manager (Claire), a comms lead
(Sophie, who leads) and legal counsel (Anne); a draft needs two approvals from distinct roles.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cellule.engine import run_protocol
from cellule.reporting import report_attacks
from flows.drill.scripted import Behaviour, ScriptedPeople
from flows.exit_on_top.branches import ExitBranch, choose_branch
from flows.exit_on_top.commitment_reminders import remind_commitments
from flows.exit_on_top.commitments import record_commitment
from flows.exit_on_top.flow import WAITING_FOR_THE_CELL
from flows.exit_on_top.resolution import resolve_incident
from flows.exit_on_top.statements import publish_statement
from flows.intake.reports import parse_report
from flows.kit.loading import require_kit
from flows.quorum import approve_draft
from flows.runtime import Runtime, SimulatedClock, SimulatedWaiter, use_runtime
from flows.surround.answers import acknowledge
from models import (
    AvenueStatus,
    Draft,
    DraftKind,
    Incident,
    IncidentStatus,
    LegalAction,
    Notification,
    Participant,
    Person,
    PlatformReport,
    PostMortem,
    PublicReply,
    ReviewCase,
    TimelineEvent,
    transaction,
)
from notifications import ConsoleChannel
from tests.exit_on_top.scenario import ExitCell
from tests.scenarios.hotel import T0 as OPENED
from tests.scenarios.hotel import person

pytestmark = pytest.mark.usefixtures("prefect_server")  # every test here runs Prefect flows

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
BENEFIT = "Un accueil formé, et des clients qui saluent la transparence."
REVIEW = {
    "target": "Hôtel des Lilas",
    "platform": "google",
    "external_id": "g-1",
    "rating": 1,
    "text": "Chambre sale, personnel odieux.",
}


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def report(runtime: Runtime) -> int:
    [outcome] = report_attacks(runtime, [parse_report(REVIEW)], source="cli")
    return outcome.incident_id


class Script:
    """The cell's scripted acts, each landing on the simulated clock in its own transaction."""

    def __init__(self, runtime: Runtime, clock: SimulatedClock, incident_id: int) -> None:
        self.runtime, self.clock, self.incident_id = runtime, clock, incident_id

    def at(self, moment: datetime, act: Callable[[Session, Incident, datetime], object]) -> None:
        def land() -> None:
            with transaction(self.runtime.sessions) as session:
                act(session, session.get_one(Incident, self.incident_id), self.clock.now())

        self.clock.schedule(moment, land)

    def run(self) -> None:
        """What a drill runner does: run the protocol, then again after each scripted act, until done."""
        run_protocol(self.runtime, self.incident_id)
        while (upcoming := self.clock.next_event_at()) is not None:
            self.clock.advance_to(upcoming)
            run_protocol(self.runtime, self.incident_id)


def latest(session: Session, incident: Incident, kind: DraftKind) -> Draft:
    return session.scalars(
        select(Draft)
        .where(Draft.incident_id == incident.id, Draft.kind == kind)
        .order_by(Draft.number.desc())
    ).first()


def approve(key: str, kind: DraftKind):
    def act(session, incident, now):
        draft = latest(session, incident, kind)
        approve_draft(session, draft=draft, person=person(session, key), at=now, available={"console"})

    return act


def publish(kind: DraftKind):
    def act(session, incident, now):
        draft = latest(session, incident, kind)
        publish_statement(
            session, draft=draft, person=person(session, "claire.morel"), where="Google", at=now
        )

    return act


def commit(session, incident, now):
    sophie = person(session, "sophie.marchand")
    text = "Former toute l'équipe d'accueil avant le 31 décembre"
    record_commitment(
        session,
        incident=incident,
        by=sophie,
        owner=sophie,
        text=text,
        due_at=now + timedelta(days=30),
        at=now,
    )


def choose_not_handled(session, incident, now):
    choose_branch(
        session,
        incident=incident,
        person=person(session, "sophie.marchand"),
        branch=ExitBranch.NOT_HANDLED,
        at=now,
    )


def conclude_the_avenues(session, incident, now):
    """The avenues as the review commands would leave them: reported in vain, legal dropped, replied."""
    for case in session.scalars(select(ReviewCase).where(ReviewCase.incident_id == incident.id)):
        outcomes = (
            (PlatformReport, AvenueStatus.FAILED, None),
            (LegalAction, AvenueStatus.ABANDONED, "L'assureur juge la procédure disproportionnée."),
            (PublicReply, AvenueStatus.SUCCEEDED, None),
        )
        for model, status, reason in outcomes:
            row = session.scalars(select(model).where(model.case_id == case.id)).one_or_none()
            if row is None:
                row = model(case_id=case.id)
                session.add(row)
            row.status, row.abandoned_reason = status, reason


def resolve(session, incident, now):
    resolve_incident(
        session, incident=incident, person=person(session, "sophie.marchand"), benefit=BENEFIT, at=now
    )


@pytest.fixture
def simulated(hotel):
    clock = SimulatedClock(T0)
    people = ScriptedPeople(ConsoleChannel(io.StringIO()), clock, hotel, {}, Behaviour("acknowledge"))
    runtime = Runtime(
        sessions=hotel, channels={"console": people}, clock=clock, waiter=SimulatedWaiter(clock)
    )
    return runtime, clock, people


def run_to_resolution(runtime: Runtime, clock: SimulatedClock) -> int:
    """The hotel's cell, from the holding statement through the not-handled branch to resolution."""
    script = Script(runtime, clock, report(runtime))
    script.at(minutes(20), approve("sophie.marchand", DraftKind.HOLDING_STATEMENT))
    script.at(minutes(25), approve("anne.roux", DraftKind.HOLDING_STATEMENT))
    script.at(minutes(40), publish(DraftKind.HOLDING_STATEMENT))
    script.at(minutes(120), commit)
    script.at(minutes(120), choose_not_handled)
    script.at(minutes(150), approve("sophie.marchand", DraftKind.APOLOGY))
    script.at(minutes(155), approve("anne.roux", DraftKind.APOLOGY))
    script.at(minutes(180), publish(DraftKind.APOLOGY))
    script.at(minutes(185), conclude_the_avenues)
    script.at(minutes(190), resolve)
    script.run()
    return script.incident_id


def test_the_not_handled_branch_runs_from_the_holding_statement_to_resolution(simulated):
    runtime, clock, people = simulated
    incident_id = run_to_resolution(runtime, clock)

    with transaction(runtime.sessions) as session:
        incident = session.get_one(Incident, incident_id)
        drafts = session.scalars(select(Draft).order_by(Draft.number)).all()
        authors = {d.label: session.get_one(Person, d.author_id).key for d in drafts}
        statuses = [
            e.summary for e in session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "status"))
        ]
    assert [(d.label, d.kind, d.locale, d.status) for d in drafts] == [
        ("D1", "holding_statement", "fr", "published"),
        ("D2", "apology", "fr", "published"),
    ]
    # Sophie leads, but her approval is one the quorum needs: Claire holds the pen for both.
    assert authors == {"D1": "claire.morel", "D2": "claire.morel"}
    assert drafts[0].created_at == minutes(5)  # the moment the cell was assembled
    assert drafts[1].created_at == minutes(120)  # the moment the branch was chosen
    assert (
        "Former toute l'équipe d'accueil avant le 31 décembre (d'ici le 26 décembre 2026)" in drafts[1].text
    )
    assert (incident.cell_assembled_at, incident.approved_at) == (minutes(5), minutes(25))
    assert (incident.first_statement_at, incident.published_at) == (minutes(40), minutes(40))
    assert incident.resolved_at == minutes(190) and incident.benefit == BENEFIT
    assert statuses == [
        "detected → mobilising",
        "mobilising → assembled",
        "assembled → exiting",
        "exiting → resolved",
    ]
    asked = [(r.at, r.address) for r in people.received if r.template == "approval_request"]
    assert asked == [
        (minutes(5), "sophie.marchand"),
        (minutes(5), "anne.roux"),
        (minutes(120), "sophie.marchand"),
        (minutes(120), "anne.roux"),
    ]
    assert not [r for r in people.received if r.template == "approval_reminder"]  # approved within the hour


def test_resolution_stores_the_post_mortem_and_tells_the_cell_once_however_often_the_protocol_runs(
    simulated, tmp_path
):
    runtime, clock, people = simulated
    runtime.reports_dir = tmp_path
    incident_id = run_to_resolution(runtime, clock)
    run_protocol(runtime, incident_id)  # again, as the minute tick or a retry would
    run_protocol(runtime, incident_id)

    with transaction(runtime.sessions) as session:
        ref = session.get_one(Incident, incident_id).ref
        [stored] = session.scalars(select(PostMortem)).all()
        notices = session.scalars(
            select(Notification).where(Notification.template == "postmortem_ready")
        ).all()
        events = session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "postmortem")).all()
    path = tmp_path / ref / "postmortem.fr.html"
    assert stored.rendered_at == minutes(190)  # the run that saw the resolution stored it
    assert stored.report_path == str(path) and "<h2>Chronologie</h2>" in path.read_text(encoding="utf-8")
    assert len(events) == 1
    assert len(notices) == 3 and all(n.attempts == 1 for n in notices)
    told = [(r.at, r.address) for r in people.received if r.template == "postmortem_ready"]
    assert told == [
        (minutes(190), "claire.morel"),
        (minutes(190), "sophie.marchand"),
        (minutes(190), "anne.roux"),
    ]


def test_approvers_of_a_holding_statement_nobody_decides_on_are_reminded_then_the_phase_stops(simulated):
    runtime, clock, people = simulated
    incident_id = report(runtime)
    run_protocol(runtime, incident_id)

    reminded = [(r.at, r.address) for r in people.received if r.template == "approval_reminder"]
    assert reminded == [
        (minutes(65), "sophie.marchand"),
        (minutes(65), "anne.roux"),
        (minutes(80), "sophie.marchand"),
        (minutes(80), "anne.roux"),
        (minutes(95), "sophie.marchand"),
        (minutes(95), "anne.roux"),
    ]  # target 1 h after the draft, then every 15 min, at most 3
    assert clock.now() == minutes(95)  # nothing more falls due: the flow stopped waiting


def test_the_phase_waits_for_the_cell_then_drafts_the_holding_statement_once(runtime, console):
    incident_id = report(runtime)
    run_protocol(runtime, incident_id)
    with transaction(runtime.sessions) as session:
        assert session.scalars(select(Draft)).all() == []
        waiting = session.scalars(
            select(TimelineEvent).where(TimelineEvent.summary == WAITING_FOR_THE_CELL)
        ).all()
        assert len(waiting) == 1
        for member in session.scalars(select(Participant).where(Participant.incident_id == incident_id)):
            acknowledge(
                session,
                incident=session.get_one(Incident, incident_id),
                person=session.get_one(Person, member.person_id),
                kit=require_kit(session),
                at=runtime.now(),
            )

    run_protocol(runtime, incident_id)
    printed = console.getvalue()
    run_protocol(runtime, incident_id)  # again: the store says the holding statement exists

    with transaction(runtime.sessions) as session:
        drafts = session.scalars(select(Draft)).all()
        requests = session.scalars(
            select(Notification).where(Notification.template == "approval_request")
        ).all()
        incident = session.get_one(Incident, incident_id)
    assert [(d.label, d.kind) for d in drafts] == [("D1", "holding_statement")]
    assert len(requests) == 2 and all(n.attempts == 1 for n in requests)
    assert console.getvalue() == printed  # nothing sent twice
    assert incident.status == IncidentStatus.ASSEMBLED  # exiting starts when a person picks the branch


def test_the_scheduled_flow_reminds_a_late_commitment_once_per_step_and_no_more_than_the_cap(
    hotel, defamatory_review_at_hotel
):
    cell = ExitCell(hotel, defamatory_review_at_hotel)
    cell.commit(due=timedelta(days=30))
    due = OPENED + timedelta(days=30)
    printed = io.StringIO()
    clock = SimulatedClock(due + timedelta(days=1))
    runtime = Runtime(sessions=hotel, channels={"console": ConsoleChannel(printed)}, clock=clock)

    with use_runtime(runtime):
        assert remind_commitments() == 1
        assert remind_commitments() == 0
        for days in (7, 14, 21, 60):
            clock.advance_to(due + timedelta(days=days, hours=1))
            remind_commitments()

    # first seen a day late (the scheduler was not running 3 days before), then weekly, then capped at 3
    assert printed.getvalue().count("Engagement en retard") == 3
    with transaction(hotel) as session:
        keys = session.scalars(
            select(Notification.key).where(Notification.template == "commitment_reminder")
        ).all()
    assert [k.split("/")[2] for k in keys] == ["reminder:1", "reminder:2", "reminder:3"]


def test_no_statement_is_drafted_that_the_cell_could_never_approve(runtime):
    [outcome] = report_attacks(
        runtime, [parse_report({**REVIEW, "rating": 2})], source="cli"
    )  # low: Claire alone
    run_protocol(runtime, outcome.incident_id)
    with transaction(runtime.sessions) as session:
        claire = person(session, "claire.morel")
        incident = session.get_one(Incident, outcome.incident_id)
        acknowledge(session, incident=incident, person=claire, kit=require_kit(session), at=runtime.now())
    run_protocol(runtime, outcome.incident_id)
    run_protocol(runtime, outcome.incident_id)

    with transaction(runtime.sessions) as session:
        assert session.get_one(Incident, outcome.incident_id).cell_assembled_at is not None
        assert session.scalars(select(Draft)).all() == []
        waits = session.scalars(
            select(TimelineEvent.summary).where(TimelineEvent.kind == "exit_on_top")
        ).all()
    assert waits == [
        WAITING_FOR_THE_CELL,
        "the holding statement waits: the cell cannot approve it yet "
        "(2 approvals needed from comms_lead, legal, executive)",
    ]
