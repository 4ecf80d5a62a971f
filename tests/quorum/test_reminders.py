"""A draft waiting past the policy's target: the approvers who have not decided are reminded, capped.

The hotel's policy: target 1 h; reminders every 15 min, at most 3.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from flows.kit.loading import require_kit
from flows.quorum.reminders import remind_waiting_drafts
from models import Incident, Notification, transaction
from tests.scenarios.hotel import HOLDING, T0


def remind(cell, at):
    with transaction(cell.sessions) as session:
        incident = session.get_one(Incident, cell.incident_id)
        playbook = require_kit(session).playbook_for(incident.attack_type)
        return remind_waiting_drafts(
            session, incident=incident, playbook=playbook, available={"console"}, now=at
        )


def reminded(cell) -> list[tuple[str, str]]:
    with transaction(cell.sessions) as session:
        rows = session.scalars(
            select(Notification).where(Notification.template == "approval_reminder").order_by(Notification.id)
        )
        return [(n.key.rsplit("/", 2)[-2], n.address) for n in rows]


def test_nothing_before_the_target_then_the_undecided_approvers_at_the_cadence(cell):
    draft_id = cell.propose("claire.morel", HOLDING)
    cell.approve(draft_id, "sophie.marchand")

    assert remind(cell, T0 + timedelta(minutes=59)) == T0 + timedelta(hours=1)
    assert reminded(cell) == []

    assert remind(cell, T0 + timedelta(hours=1)) == T0 + timedelta(minutes=75)
    # Sophie has decided; Anne (legal) has not; Claire wrote it; Emma (comms lead, called) may decide too
    assert sorted(reminded(cell)) == [("reminder:1", "anne.roux"), ("reminder:1", "emma.walsh")]

    remind(cell, T0 + timedelta(minutes=75))
    remind(cell, T0 + timedelta(minutes=90))
    assert remind(cell, T0 + timedelta(hours=9)) is None  # capped at 3
    assert [k for k, _ in reminded(cell)].count("reminder:3") == 2
    assert len(reminded(cell)) == 6


def test_an_approved_draft_is_not_chased(cell):
    draft_id = cell.propose("claire.morel", HOLDING)
    cell.approve(draft_id, "sophie.marchand")
    cell.approve(draft_id, "anne.roux")
    assert remind(cell, T0 + timedelta(hours=2)) is None
    assert reminded(cell) == []
