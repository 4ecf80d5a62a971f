"""Through the real flows: a hijacked account's facts reach the cell; the readiness audit runs as a flow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cellule.engine import run_protocol
from cellule.prefect_env import quiet_flow_runs
from cellule.reporting import report_attacks
from flows.intake.reports import parse_report
from flows.prepare.readiness import readiness_audit
from flows.runtime import Runtime, use_runtime
from models import Notification, TimelineEvent, transaction
from tests.prepare.scenario import FixedClock

pytestmark = pytest.mark.usefixtures("prefect_server")  # every test here runs Prefect flows


def test_an_account_takeover_brings_the_accounts_access_facts_to_the_cell(runtime, console):
    report = parse_report(
        {
            "target": "Instagram @hoteldeslilas",
            "platform": "instagram",
            "external_id": "ig-1",
            "text": "Notre compte Instagram a été piraté, des posts de crypto sont publiés.",
            "observed_at": datetime(2026, 11, 26, 7, 55, tzinfo=UTC),
        }
    )
    [outcome] = report_attacks(runtime, [report], source="cli")
    run_protocol(runtime, outcome.incident_id)
    printed = console.getvalue()
    run_protocol(runtime, outcome.incident_id)  # re-entrant: nothing twice

    with transaction(runtime.sessions) as session:
        kinds = session.scalars(
            select(TimelineEvent.kind).where(TimelineEvent.incident_id == outcome.incident_id)
        ).all()
        briefs = session.scalars(select(Notification).where(Notification.template == "takeover_brief")).all()
    assert kinds.count("account_access") == 1 and kinds.count("takeover_steps") == 1
    assert len(briefs) == 3 and all(b.sent_at is not None for b in briefs)
    assert "Compte piraté : qui détient les accès, et les premiers gestes" in printed
    assert "Double authentif. : active, détenue par Sophie Marchand" in printed
    assert console.getvalue() == printed


def test_the_readiness_audit_flow_returns_the_score_and_tells_the_owner(runtime, console):
    runtime = Runtime(
        runtime.sessions, runtime.channels, clock=FixedClock(datetime(2026, 11, 26, 9, tzinfo=UTC))
    )
    with use_runtime(runtime), quiet_flow_runs():
        score = readiness_audit()
        again = readiness_audit()

    assert score == again == 78  # the hotel: never drilled, no Slack or email, its library unapproved
    assert console.getvalue().count("Subject: Hôtel des Lilas · Préparation 78/100") == 1
