"""Surround on a simulated clock: reminders, backups, gaps and escalation, at the declared times.

The hotel kit's defamatory-review playbook at medium severity needs a community manager, a comms lead
and legal counsel; each person has 15 minutes to acknowledge, one reminder, then their backup is called.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cellule.engine import run_protocol
from cellule.reporting import report_attacks
from flows.drill.scripted import Behaviour, ScriptedPeople
from flows.intake.reports import parse_report
from flows.runtime import Runtime, SimulatedClock, SimulatedWaiter
from models import (
    Incident,
    IncidentStatus,
    Notification,
    Participant,
    ParticipantStatus,
    Person,
    TimelineEvent,
    transaction,
)
from notifications import ConsoleChannel

pytestmark = pytest.mark.usefixtures("prefect_server")  # every test here runs Prefect flows

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
ACK = Behaviour("acknowledge", timedelta(minutes=5))
SILENT = Behaviour("silent")


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture
def simulate(hotel):
    """Report a medium defamatory review at T0 and run the protocol with scripted people."""

    def run(behaviours: dict[str, Behaviour], default: Behaviour = ACK) -> Runtime:
        clock = SimulatedClock(T0)
        people = ScriptedPeople(ConsoleChannel(io.StringIO()), clock, hotel, behaviours, default)
        runtime = Runtime(
            sessions=hotel, channels={"console": people}, clock=clock, waiter=SimulatedWaiter(clock)
        )
        review = parse_report(
            {
                "target": "Hôtel des Lilas",
                "platform": "google",
                "external_id": "g-1",
                "rating": 1,
                "text": "Chambre sale, personnel odieux.",
            }
        )
        [outcome] = report_attacks(runtime, [review], source="cli")
        run_protocol(runtime, outcome.incident_id)
        runtime.received = people.received  # type: ignore[attr-defined]
        return runtime

    return run


def events(runtime, kind):
    with transaction(runtime.sessions) as session:
        return [
            (e.at, e.summary)
            for e in session.scalars(
                select(TimelineEvent).where(TimelineEvent.kind == kind).order_by(TimelineEvent.id)
            )
        ]


def incident(runtime) -> Incident:
    with transaction(runtime.sessions) as session:
        return session.scalars(select(Incident)).one()


def test_everyone_answers_and_the_cell_is_assembled_at_the_last_acknowledgement(simulate):
    runtime = simulate({"anne.roux": Behaviour("acknowledge", timedelta(minutes=12))})
    assert incident(runtime).cell_assembled_at == minutes(12)
    assert incident(runtime).acknowledged_at == minutes(5)
    assert incident(runtime).status == IncidentStatus.ASSEMBLED
    assert events(runtime, "reminded") == []


def test_a_silent_primary_is_reminded_then_replaced_by_the_backup(simulate):
    runtime = simulate({"claire.morel": SILENT})

    assert events(runtime, "reminded") == [(minutes(15), "Claire Morel reminded (community_manager)")]
    assert events(runtime, "timed_out") == [(minutes(30), "no answer from Claire Morel (community_manager)")]
    assert (minutes(30), "Lucas Perrin called as community_manager (backup 1)") in events(runtime, "called")
    assert incident(runtime).cell_assembled_at == minutes(35)  # Lucas answers five minutes later
    received = [(r.at, r.address, r.template) for r in runtime.received if r.address == "claire.morel"]
    assert received == [(T0, "claire.morel", "alert"), (minutes(15), "claire.morel", "reminder")]


def test_an_acknowledgement_after_the_reminder_keeps_the_role(simulate):
    runtime = simulate({"anne.roux": Behaviour("acknowledge", timedelta(minutes=25))})
    assert incident(runtime).cell_assembled_at == minutes(25)
    assert [s for _, s in events(runtime, "reminded")] == ["Me Anne Roux reminded (legal)"]
    assert not any("Karim" in s for _, s in events(runtime, "called"))


def test_declining_calls_the_backup_at_once(simulate):
    runtime = simulate({"claire.morel": Behaviour("decline", timedelta(minutes=2))})
    assert (minutes(2), "Lucas Perrin called as community_manager (backup 1)") in events(runtime, "called")
    assert incident(runtime).cell_assembled_at == minutes(7)


def test_a_role_nobody_takes_is_a_gap_escalated_to_the_next_tier(simulate):
    runtime = simulate({"anne.roux": SILENT, "karim.benali": SILENT})

    assert events(runtime, "gap")[-1] == (minutes(60), "nobody left to call for the role legal")
    assert events(runtime, "escalated") == [(minutes(60), "role legal unfilled: escalation tier 1 told")]
    with transaction(runtime.sessions) as session:
        told = session.scalars(select(Notification).where(Notification.template == "escalation")).all()
        sophie = session.scalars(select(Person).where(Person.key == "sophie.marchand")).one()
        assert [n.person_id for n in told] == [sophie.id]  # the acknowledged comms lead
        states = dict(
            session.execute(
                select(Participant.role, Participant.status).where(Participant.role == "legal")
            ).all()
        )
    assert incident(runtime).cell_assembled_at is None
    assert states == {"legal": ParticipantStatus.TIMED_OUT}


def test_without_a_lead_the_cell_is_reminded_at_the_cadence_and_no_more(simulate):
    runtime = simulate({"sophie.marchand": SILENT, "emma.walsh": SILENT})
    reminders = events(runtime, "reminder")
    assert [at for at, _ in reminders] == [minutes(15), minutes(30), minutes(45)]  # every 15 min, at most 3
    assert incident(runtime).lead_id is None


def test_when_the_first_tier_is_the_unfilled_role_the_next_tier_is_told(simulate):
    runtime = simulate({}, default=SILENT)  # nobody ever answers: every role runs out at T0+60
    assert events(runtime, "escalated") == [
        (minutes(60), "role community_manager unfilled: escalation tier 1 told"),
        (minutes(60), "role comms_lead unfilled: escalation tier 2 told"),
        (minutes(60), "role legal unfilled: escalation tier 1 told"),
    ]
    assert incident(runtime).cell_assembled_at is None
