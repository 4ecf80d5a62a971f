"""Prepare (être préparé): before calling anyone, check the kit covers what the playbook asks.

Gaps are written to the timeline and carried into the alert, so the cell knows at once what is missing.
For an account takeover, the inventory's facts — who holds the account's rights, its second factor and
its recovery, which apps are linked — and the first steps go on the timeline, and to each person the
cell is about to call, in the same transaction.
"""

from __future__ import annotations

from prefect import flow, task

from flows.kit.cover import find_gaps, required_cover
from flows.kit.loading import require_kit
from flows.prepare.takeover import account_access, steps_summary
from flows.runtime import current_runtime
from models import AttackType, Incident, IncidentStatus, record_event_once, transaction
from notifications import message_person


@task(name="check-the-kit")
def check_the_kit(incident_id: int) -> list[str]:
    """Record each gap once on the timeline; return all of them."""
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        incident = session.get_one(Incident, incident_id)
        kit = require_kit(session)
        gaps = find_gaps(required_cover(session, incident=incident, kit=kit), kit=kit, incident=incident)
        for gap in gaps:
            record_event_once(session, incident=incident, at=runtime.now(), kind="gap", summary=gap.summary)
    return [gap.summary for gap in gaps]


@task(name="brief-on-the-account")
def brief_on_the_account(incident_id: int) -> list[str]:
    """For an account takeover: record the account's access facts and first steps, and queue them for the
    primary of each role the playbook calls. Each fact once on the timeline, each person briefed once."""
    runtime = current_runtime()
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        incident = session.get_one(Incident, incident_id)
        if incident.attack_type != AttackType.ACCOUNT_TAKEOVER:
            return []
        if incident.status not in IncidentStatus.open_statuses():
            return []
        kit = require_kit(session)
        channels = runtime.available_channels
        accounts = account_access(session, incident=incident, kit=kit, now=now)
        facts = [("account_access", a.summary) for a in accounts]
        facts += [("account_risk", f"{a.label}: {f.problem('en')}") for a in accounts for f in a.risks]
        if not accounts:
            facts.append(("account_access", "the inventory lists no social account: find who has the logins"))
        facts.append(("takeover_steps", steps_summary(accounts)))
        for kind, summary in facts:
            record_event_once(session, incident=incident, at=now, kind=kind, summary=summary)
        for cover in required_cover(session, incident=incident, kit=kit):
            person = cover.primary
            if person is None:
                continue
            message_person(
                session,
                incident=incident,
                person=person,
                key=f"incident:{incident.id}/prepare/takeover/person:{person.id}",
                template="takeover_brief",
                context={
                    "ref": incident.ref,
                    "title": incident.title,
                    "role": cover.role,
                    "person_name": person.name,
                    "accounts": [a.as_context(person.locale) for a in accounts],
                },
                available=channels,
                at=now,
            )
    return [summary for _, summary in facts]


@flow(name="prepare")
def prepare(incident_id: int) -> list[str]:
    """Check the crisis kit against this incident's playbook, and brief the cell on a hijacked account."""
    return check_the_kit(incident_id) + brief_on_the_account(incident_id)
