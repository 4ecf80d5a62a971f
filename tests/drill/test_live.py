"""A live drill: the real cell on the real clock, through the real Slack API (a fake on loopback).

Every message must open with the exercise marker, nothing may be published, and the drill must stay out
of the real metrics. Time-outs are shortened to a second so the escalation moves within the test.
"""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cellule.engine import run_protocol, tick_open_incidents
from flows.drill.journal import result_from_json
from flows.drill.live import DrillError, record_hot_wash, start_live_drill, stop_live_drill
from flows.exit_on_top.branches import ExitError
from flows.exit_on_top.statements import publish_statement
from flows.kit.loading import load_kit, require_kit
from flows.kit.schema import Escalation, Kit
from flows.postmortem import post_mortem
from flows.postmortem.period import period_report
from flows.quorum import approve_draft
from flows.runtime import Runtime, use_runtime
from flows.surround.answers import acknowledge
from models import (
    Draft,
    Drill,
    Incident,
    IncidentStatus,
    Notification,
    PostMortem,
    Signal,
    transaction,
)
from notifications import ConsoleChannel
from tests.drill.scenarios import scenario
from tests.scenarios.hotel import person

pytestmark = pytest.mark.usefixtures("prefect_server")

MARKERS = ("EXERCICE —", "DRILL —")
# The fake review now, and a second one a second later: it arrives with the minute tick.
TWO_REVIEWS = scenario(
    signals=[
        {"at": "0s", "platform": "google", "rating": 1, "text": "Chambre sale, personnel odieux."},
        {"at": "1s", "platform": "google", "rating": 1, "text": "Même expérience, à fuir."},
    ]
)


def quick(kit: Kit) -> Kit:
    """The hotel's kit, with a one-second acknowledgement time-out for a defamatory review."""
    playbook = kit.playbooks["defamatory_review"]
    fast = playbook.model_copy(
        update={"escalation": Escalation(ack_timeout=timedelta(seconds=1), reminders=1)}
    )
    return kit.model_copy(update={"playbooks": {**kit.playbooks, "defamatory_review": fast}})


@pytest.fixture
def live(sessions, hotel_kit, slack) -> Runtime:
    with transaction(sessions) as session:
        load_kit(session, kit=quick(hotel_kit), source="test", sha256="test")
    return Runtime(sessions=sessions, channels={"slack": slack, "console": ConsoleChannel(io.StringIO())})


def test_a_live_drill_marks_every_message_as_an_exercise_and_publishes_nothing(live, fake_slack):
    with transaction(live.sessions) as session:
        drill, _ = start_live_drill(session, scenario=TWO_REVIEWS, now=live.now())
        incident_id, drill_id = drill.incident_id, drill.id
    run_protocol(live, incident_id)  # the cell is alerted
    time.sleep(1.2)
    tick_open_incidents(live)  # reminders fall due; the second review arrives

    with transaction(live.sessions) as session:
        incident = session.get_one(Incident, incident_id)
        for key in ("claire.morel", "sophie.marchand", "anne.roux"):  # as if each clicked "I'm on it"
            acknowledge(
                session,
                incident=incident,
                person=person(session, key),
                kit=require_kit(session),
                at=live.now(),
            )
    run_protocol(live, incident_id)  # assembled: the holding statement goes up for approval
    with transaction(live.sessions) as session:
        draft = session.scalars(select(Draft).where(Draft.incident_id == incident_id)).one()
        for key in ("sophie.marchand", "anne.roux"):
            approve_draft(
                session, draft=draft, person=person(session, key), at=live.now(), available={"slack"}
            )
    run_protocol(live, incident_id)
    with transaction(live.sessions) as session:
        draft = session.get_one(Draft, draft.id)
        claire = person(session, "claire.morel")
        with pytest.raises(ExitError, match="drill: nothing is posted publicly"), session.begin_nested():
            publish_statement(
                session, draft=draft, person=claire, where="Google", at=live.now(), url="https://g.co/x"
            )
        publication = publish_statement(session, draft=draft, person=claire, where="Google", at=live.now())
    assert publication.simulated

    with transaction(live.sessions) as session:
        drill = stop_live_drill(
            session, drill=session.get_one(Drill, drill_id), now=live.now(), actor="sophie.marchand"
        )
        results = {r.key: r for r in map(result_from_json, drill.results)}
    with use_runtime(live):
        post_mortem(incident_id)  # what `cellule drill stop` runs next

    posted = fake_slack.calls_to("chat.postMessage")
    assert len(posted) >= 6  # alerts, reminders, approval requests, decision, post-mortem notice
    assert all(call["text"].startswith(MARKERS) for call in posted), [c["text"][:40] for c in posted]
    with transaction(live.sessions) as session:
        notes = session.scalars(select(Notification).where(Notification.incident_id == incident_id)).all()
        incident = session.get_one(Incident, incident_id)
        signals = session.scalar(select(func.count()).where(Signal.incident_id == incident_id))
        report = session.scalar(
            select(PostMortem.report_markdown).where(PostMortem.incident_id == incident_id)
        )
        real = period_report(
            session,
            start=live.now() - timedelta(days=1),
            end=live.now() + timedelta(days=1),
            drills=False,
            as_of=live.now(),
        )
    assert notes and all(n.is_drill and (n.sent_body or "").startswith(MARKERS) for n in notes)
    assert incident.ref.startswith("EXE-") and incident.is_drill
    assert incident.status == IncidentStatus.CLOSED  # stopped where it stood, before any resolution
    assert signals == 2
    assert results["acknowledge"].met and results["assemble"].met and results["first_statement"].met
    assert report is not None and "EXE-" in report
    assert real.current.incidents == 0  # a drill never counts in the real metrics


def test_the_hot_wash_is_kept_with_the_drill_and_only_after_it(live):
    with transaction(live.sessions) as session:
        drill, _ = start_live_drill(session, scenario=TWO_REVIEWS, now=live.now())
        with pytest.raises(DrillError, match="stop it first"):
            record_hot_wash(session, drill=drill, answers=[("What went well?", "Tout")])
        with pytest.raises(DrillError, match="A live drill is running already"), session.begin_nested():
            start_live_drill(session, scenario=TWO_REVIEWS, now=live.now())
        stop_live_drill(session, drill=drill, now=live.now())
        record_hot_wash(
            session,
            drill=drill,
            answers=[
                ("What went well?", "  Les alertes sont arrivées\u202e vite. "),
                ("What surprised us?", ""),
            ],
        )
        assert drill.hot_wash == [
            {"question": "What went well?", "answer": "Les alertes sont arrivées vite."}
        ]
