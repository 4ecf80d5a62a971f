"""A crash mid-escalation loses nothing and doubles nothing: the resumed flow continues from the store.

Asserted twice over: on the outbox (each key sent once) and on what the fake Slack Web API received.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cellule.engine import run_protocol
from cellule.reporting import report_attacks
from flows.drill.scripted import Behaviour, ScriptedPeople
from flows.intake.reports import parse_report
from flows.kit.loading import require_kit
from flows.runtime import Runtime, SimulatedClock, SimulatedWaiter
from flows.surround.answers import acknowledge
from models import Incident, Notification, NotificationStatus, Person, TimelineEvent, transaction

pytestmark = pytest.mark.usefixtures("prefect_server")  # every test here runs Prefect flows

T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


class SimulatedCrash(RuntimeError):
    """The worker dies: raised from inside the flow's wait, like a killed process."""


def sent_keys(fake_slack) -> list[str]:
    keys = []
    for payload in fake_slack.calls_to("chat.postMessage"):
        metadata = (
            payload["metadata"] if isinstance(payload["metadata"], dict) else json.loads(payload["metadata"])
        )
        keys.append(metadata["event_payload"]["key"])
    return keys


@pytest.fixture
def crashed(hotel, slack, fake_slack):
    """Claire stays silent; she is reminded at T+15; the worker crashes at T+20, mid-escalation."""
    clock = SimulatedClock(T0)
    people = ScriptedPeople(slack, clock, hotel, {"claire.morel": Behaviour("silent")})
    runtime = Runtime(sessions=hotel, channels={"slack": people}, clock=clock, waiter=SimulatedWaiter(clock))
    review = parse_report(
        {
            "target": "Hôtel des Lilas",
            "platform": "google",
            "external_id": "g-7",
            "rating": 1,
            "text": "Personnel odieux.",
        }
    )
    [outcome] = report_attacks(runtime, [review], source="cli")

    def crash() -> None:
        raise SimulatedCrash("worker killed")

    clock.schedule(T0 + timedelta(minutes=20), crash)
    with pytest.raises(SimulatedCrash):
        run_protocol(runtime, outcome.incident_id)
    assert clock.now() == T0 + timedelta(minutes=20)
    return runtime, outcome.incident_id, sent_keys(fake_slack)


def test_the_resumed_flow_sends_nothing_twice_and_finishes_the_escalation(crashed, fake_slack):
    runtime, incident_id, before_crash = crashed
    assert any(key.endswith("/reminder:1") for key in before_crash)  # the crash came after Claire's reminder

    run_protocol(runtime, incident_id)

    keys = sent_keys(fake_slack)
    assert keys[: len(before_crash)] == before_crash and len(keys) == len(set(keys))
    with transaction(runtime.sessions) as session:
        rows = session.scalars(select(Notification)).all()
        assert all(n.status == NotificationStatus.SENT and n.attempts == 1 for n in rows)
        assert sorted(n.key for n in rows) == sorted(keys)
        incident = session.get_one(Incident, incident_id)
        assert incident.cell_assembled_at == T0 + timedelta(
            minutes=35
        )  # Lucas, called at T+30, answers at T+35


def test_an_answer_that_arrived_while_the_flow_was_down_is_not_lost(crashed, fake_slack):
    runtime, incident_id, before_crash = crashed
    late = T0 + timedelta(minutes=25)
    runtime.clock.advance_to(late)
    with transaction(runtime.sessions) as session:  # Claire clicks while no worker runs
        claire = session.scalars(select(Person).where(Person.key == "claire.morel")).one()
        incident = session.get_one(Incident, incident_id)
        acknowledge(session, incident=incident, person=claire, kit=require_kit(session), at=late)

    run_protocol(runtime, incident_id)

    # nobody else needed calling (the cell, now assembled, was asked to approve its holding statement)
    assert [key for key in sent_keys(fake_slack) if "/draft:" not in key] == before_crash
    with transaction(runtime.sessions) as session:
        assert session.get_one(Incident, incident_id).cell_assembled_at == late
        called = session.scalars(select(TimelineEvent.summary).where(TimelineEvent.kind == "called")).all()
        assert not any("Lucas" in summary for summary in called)
