"""Offboarding someone of the example hotel: exactly their access, the roles they leave, what they own.

Store tests: they run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from flows.prepare.offboarding import OffboardingError, mark_revoked, offboarding_plan
from flows.prepare.usernames import account_label
from models import (
    AccessGrant,
    AttackType,
    Draft,
    DraftKind,
    Incident,
    IncidentStatus,
    Person,
    Severity,
    Target,
    transaction,
)
from tests.prepare.scenario import NOW


def plan_of(sessions, key: str):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        return offboarding_plan(session, person_key=key)


def grants_of(plan) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    return sorted(
        (account_label(g.account.platform, g.account.handle), g.level.value, g.via) for g in plan.grants
    )


def test_offboarding_lucas_lists_exactly_his_access_and_leaves_no_role_uncovered(hotel):
    plan = plan_of(hotel, "lucas.perrin")

    assert plan.person_name == "Lucas Perrin" and plan.still_in_kit
    assert grants_of(plan) == [
        ("Facebook @hoteldeslilas", "moderator", "Agorapulse"),
        ("Instagram @hoteldeslilas", "editor", "Agorapulse"),
    ]
    [community_manager] = plan.roles
    assert (community_manager.role, community_manager.was_primary) == ("community_manager", False)
    assert community_manager.successor == "Claire Morel"  # she stays primary
    assert community_manager.backups_left == 0
    assert plan.uncovered_roles == []
    assert plan.duties == () and plan.drafts == ()


def test_offboarding_the_owner_lists_her_access_the_accounts_she_holds_and_who_takes_over(hotel):
    plan = plan_of(hotel, "sophie.marchand")

    assert grants_of(plan) == [
        ("Facebook @hoteldeslilas", "admin", "Meta Business Suite"),
        ("Instagram @hoteldeslilas", "admin", "Bitwarden"),
        ("LinkedIn @hotel-des-lilas", "editor", None),
    ]
    [comms_lead] = plan.roles
    assert comms_lead.was_primary and comms_lead.successor == "Emma Walsh"
    assert {d.account: d.duties for d in plan.duties} == {
        "Facebook @hoteldeslilas": ("owner", "two_factor_holder"),
        "Instagram @hoteldeslilas": ("owner", "two_factor_holder", "recovery_owner"),
    }


def test_a_role_whose_only_other_holder_already_left_is_left_uncovered(hotel):
    with transaction(hotel) as session:  # Lucas left first
        session.execute(update(Person).where(Person.key == "lucas.perrin").values(active=False))

    plan = plan_of(hotel, "claire.morel")

    assert plan.uncovered_roles == ["community_manager"]
    assert grants_of(plan) == [
        ("Facebook @hoteldeslilas", "editor", "Meta Business Suite"),
        ("Instagram @hoteldeslilas", "editor", "Agorapulse"),
    ]


def test_marking_access_revoked_records_who_did_it_and_when_and_takes_it_off_the_list(hotel):
    ids = [g.id for g in plan_of(hotel, "lucas.perrin").grants]
    with transaction(hotel) as session:
        mark_revoked(session, person_key="lucas.perrin", grant_ids=ids, by_key="sophie.marchand", at=NOW)

    assert plan_of(hotel, "lucas.perrin").grants == ()
    with hotel() as session:
        sophie = session.scalars(select(Person).where(Person.key == "sophie.marchand")).one()
        revoked = session.scalars(select(AccessGrant).where(AccessGrant.id.in_(ids))).all()
    assert {(g.revoked_at, g.revoked_by_id) for g in revoked} == {(NOW, sophie.id)}


@pytest.mark.parametrize(
    ("grant_ids", "by", "message"),
    [
        pytest.param("claire's", "sophie.marchand", "Lucas Perrin has no access grant number", id="not-his"),
        pytest.param("his", "nobody", "Nobody has the key 'nobody'", id="unknown-revoker"),
        pytest.param(
            "his+revoked", "sophie.marchand", "already recorded as revoked on 2026-11-01", id="twice"
        ),
    ],
)
def test_a_wrong_revocation_records_nothing(hotel, grant_ids, by, message):
    his = [g.id for g in plan_of(hotel, "lucas.perrin").grants]
    if grant_ids == "his+revoked":
        with transaction(hotel) as session:
            earlier = datetime(2026, 11, 1, tzinfo=UTC)
            mark_revoked(
                session, person_key="lucas.perrin", grant_ids=his[:1], by_key="claire.morel", at=earlier
            )
    claires = [plan_of(hotel, "claire.morel").grants[0].id]
    ids = claires if grant_ids == "claire's" else his[::-1]  # the revoked one last: all or nothing
    before = [(g.id, g.revoked_at) for g in plan_of(hotel, "lucas.perrin").grants]

    with pytest.raises(OffboardingError, match=message), transaction(hotel) as session:
        mark_revoked(session, person_key="lucas.perrin", grant_ids=ids, by_key=by, at=NOW)

    assert [(g.id, g.revoked_at) for g in plan_of(hotel, "lucas.perrin").grants] == before


def test_drafts_they_wrote_in_an_open_incident_are_listed(hotel):
    with transaction(hotel) as session:
        lucas = session.scalars(select(Person).where(Person.key == "lucas.perrin")).one()
        target = Target(key="hotel des lilas", name="Hôtel des Lilas")
        session.add(target)
        session.flush()
        incident = Incident(
            ref="CRI-2026-0007",
            title="Avis 1 étoile",
            attack_type=AttackType.DEFAMATORY_REVIEW,
            severity=Severity.MEDIUM,
            status=IncidentStatus.MOBILISING,
            target_id=target.id,
            last_signal_at=NOW,
            first_signal_at=NOW,
            detected_at=NOW,
        )
        session.add(incident)
        session.flush()
        session.add(
            Draft(
                incident_id=incident.id,
                number=1,
                kind=DraftKind.REVIEW_REPLY,
                locale="fr",
                text="Bonjour, nous sommes désolés…",
                text_sha256="0" * 64,
                author_id=lucas.id,
                created_at=NOW,
                updated_at=NOW,
            )
        )

    [draft] = plan_of(hotel, "lucas.perrin").drafts
    assert (draft.incident_ref, draft.label, draft.status) == ("CRI-2026-0007", "D1", "awaiting_approval")


def test_an_unknown_person_is_refused(hotel):
    with pytest.raises(OffboardingError, match="Nobody has the key 'lucas'"):
        plan_of(hotel, "lucas")
