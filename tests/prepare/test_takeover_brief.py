"""An account takeover's prepare phase puts the account's access and recovery facts, and the first steps,
on the timeline and in a message to each person the cell is about to call — once, however often it runs.

The prepare tasks are called as plain functions under the runtime (no Prefect); store tests run on SQLite
and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from cellule.reporting import report_attacks
from flows.intake.reports import parse_report
from flows.prepare.flow import brief_on_the_account, check_the_kit
from flows.runtime import use_runtime
from models import Incident, Notification, Person, TimelineEvent, transaction
from notifications import render_message
from tests.prepare.scenario import NOW


def hijacked(**overrides):  # type: ignore[no-untyped-def]
    """Claire sees posts she never wrote on the hotel's Instagram."""
    fields = {
        "target": "Instagram @hoteldeslilas",
        "platform": "instagram",
        "external_id": "ig-post-1",
        "text": "Notre compte a été piraté : des posts de crypto publiés cette nuit.",
        "observed_at": NOW - timedelta(minutes=3),
        "reported_by": "Claire",
    }
    return parse_report({**fields, **overrides})


def prepare_phase(runtime, report) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """Report the attack, then run the prepare phase's steps the way the flow does."""
    with use_runtime(runtime):
        [outcome] = report_attacks(runtime, [report], source="cli")
        said = check_the_kit.fn(outcome.incident_id) + brief_on_the_account.fn(outcome.incident_id)
    return outcome.incident_id, said


def timeline(sessions, incident_id: int, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return list(
            session.scalars(
                select(TimelineEvent.summary)
                .where(TimelineEvent.incident_id == incident_id, TimelineEvent.kind == kind)
                .order_by(TimelineEvent.id)
            )
        )


def briefs(sessions, incident_id: int) -> dict[str, Notification]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        rows = session.execute(
            select(Person.key, Notification)
            .join(Person, Person.id == Notification.person_id)
            .where(Notification.incident_id == incident_id, Notification.template == "takeover_brief")
        ).all()
    return {key: row for key, row in rows}


def test_the_account_access_and_recovery_facts_go_on_the_timeline(hotel, fixed_runtime):
    incident_id, said = prepare_phase(fixed_runtime, hijacked())

    [facts] = timeline(hotel, incident_id, "account_access")
    assert facts == (
        "Instagram @hoteldeslilas — rights: Sophie Marchand (admin, via Bitwarden), "
        "Claire Morel (editor, via Agorapulse), Lucas Perrin (editor, via Agorapulse), "
        "Thomas Girard (editor, via Agorapulse); two-factor: on, held by Sophie Marchand; "
        "recovery: Sophie Marchand (reseaux@hoteldeslilas.example); linked apps: Agorapulse; "
        "credentials: Bitwarden, coffre « Réseaux sociaux »"
    )
    [steps] = timeline(hotel, incident_id, "takeover_steps")
    assert "revoke active sessions" in steps and "change the password" in steps
    assert "report the takeover to Instagram" in steps
    assert facts in said and steps in said


def test_each_person_the_cell_will_call_gets_the_facts_and_first_steps_in_their_language(
    hotel, fixed_runtime
):
    incident_id, _ = prepare_phase(fixed_runtime, hijacked())

    sent = briefs(hotel, incident_id)
    # The account-takeover playbook at low severity: community manager, communications lead, agency.
    assert set(sent) == {"claire.morel", "sophie.marchand", "thomas.girard"}
    claire = sent["claire.morel"]
    text = render_message(claire.template, claire.locale, claire.context).text
    for expected in (
        "Instagram @hoteldeslilas",
        "Droits :            Sophie Marchand (administrateur, via Bitwarden)",
        "Double authentif. : active, détenue par Sophie Marchand",
        "Récupération :      Sophie Marchand (reseaux@hoteldeslilas.example)",
        "Applis liées :      Agorapulse",
        "Fermez toutes les sessions ouvertes",
        "https://www.instagram.com/hacked/",
    ):
        assert expected in text, expected


def test_running_the_prepare_phase_again_records_and_queues_nothing_twice(hotel, fixed_runtime):
    incident_id, _ = prepare_phase(fixed_runtime, hijacked())
    events, queued = len(timeline(hotel, incident_id, "account_access")), len(briefs(hotel, incident_id))

    with use_runtime(fixed_runtime):
        brief_on_the_account.fn(incident_id)
        brief_on_the_account.fn(incident_id)

    assert len(timeline(hotel, incident_id, "account_access")) == events == 1
    assert len(timeline(hotel, incident_id, "takeover_steps")) == 1
    assert len(briefs(hotel, incident_id)) == queued == 3


def test_the_account_is_found_by_the_platform_when_the_report_does_not_name_it(hotel, fixed_runtime):
    incident_id, _ = prepare_phase(
        fixed_runtime,
        hijacked(target="Hôtel des Lilas", platform="facebook", text="Notre page a été piratée"),
    )

    [facts] = timeline(hotel, incident_id, "account_access")
    assert facts.startswith(
        "Facebook @hoteldeslilas — rights: Sophie Marchand (admin, via Meta Business Suite)"
    )
    assert "recovery: Henri Delacroix (direction@hoteldeslilas.example)" in facts


def test_a_departed_person_still_holding_access_is_flagged_to_the_cell(hotel, fixed_runtime):
    with transaction(hotel) as session:  # Lucas left the kit; nobody recorded his revocations
        session.scalars(select(Person).where(Person.key == "lucas.perrin")).one().active = False

    incident_id, _ = prepare_phase(fixed_runtime, hijacked())

    [risk] = timeline(hotel, incident_id, "account_risk")
    assert risk.startswith("Instagram @hoteldeslilas: Lucas Perrin has left but still has editor access")
    assert (
        "Lucas Perrin (editor, via Agorapulse, HAS LEFT)" in timeline(hotel, incident_id, "account_access")[0]
    )
    sophie = briefs(hotel, incident_id)["sophie.marchand"]
    text = render_message(sophie.template, sophie.locale, sophie.context).text
    assert "Lucas Perrin a quitté l'équipe mais a toujours un accès éditeur" in text


def test_other_attacks_get_no_account_brief(hotel, fixed_runtime):
    review = parse_report(
        {
            "target": "Hôtel des Lilas",
            "platform": "google",
            "text": "Chambre sale.",
            "rating": 1,
            "external_id": "g1",
        }
    )
    incident_id, said = prepare_phase(fixed_runtime, review)

    assert timeline(hotel, incident_id, "account_access") == []
    assert briefs(hotel, incident_id) == {}
    with hotel() as session:
        assert session.get_one(Incident, incident_id).attack_type == "defamatory_review"
