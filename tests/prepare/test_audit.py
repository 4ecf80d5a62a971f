"""The readiness audit finds each kind of gap, says how to fix it, and forgets it once it is fixed.

Store tests: they run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from flows.kit.inventory import apply_inventory
from flows.kit.inventory_files import read_accounts_file
from flows.prepare.audit import CRITICAL_CAP
from flows.prepare.findings import WORDING, Category, FindingSeverity
from flows.prepare.offboarding import mark_revoked
from models import Drill, DrillMode, transaction
from tests.prepare.scenario import NOW, ready_kit, record_drill, run_audit, without_person

Edit = Callable[[dict[str, Any]], None]


def account(kit: dict[str, Any], key: str) -> dict[str, Any]:
    return next(a for a in kit["accounts"] if a["key"] == key)


def set_field(key: str, field: str, value: Any) -> Edit:
    def edit(kit: dict[str, Any]) -> None:
        account(kit, key)[field] = value

    return edit


def drop_field(key: str, field: str) -> Edit:
    def edit(kit: dict[str, Any]) -> None:
        del account(kit, key)[field]

    return edit


def drop_email(*keys: str) -> Edit:
    def edit(kit: dict[str, Any]) -> None:
        for person in kit["people"]:
            if person["key"] in keys:
                del person["email"]

    return edit


def share_grant(kit: dict[str, Any]) -> None:
    kit["access"][1]["shared"] = True


def no_accounts(kit: dict[str, Any]) -> None:
    kit["accounts"], kit["access"] = [], []


def single_community_manager(kit: dict[str, Any]) -> None:
    kit["roster"]["community_manager"] = ["claire"]


def unknown_template(kit: dict[str, Any]) -> None:
    kit["playbooks"]["default"]["templates"] = {"alert": "alerte_maison"}


# (code, how the kit is broken, what the findings are about) — the ready kit fixes each of them.
KIT_MISTAKES = [
    pytest.param("no_accounts", no_accounts, "inventory", id="no-accounts"),
    pytest.param("two_factor_off", set_field("x", "two_factor", False), "X @hoteldeslilas", id="2fa-off"),
    pytest.param(
        "two_factor_holder_missing",
        drop_field("instagram", "two_factor_holder"),
        "Instagram @hoteldeslilas",
        id="2fa-holder",
    ),
    pytest.param(
        "recovery_owner_missing", drop_field("x", "recovery_owner"), "X @hoteldeslilas", id="recovery-owner"
    ),
    pytest.param(
        "credentials_location_unknown",
        drop_field("x", "credentials_in"),
        "X @hoteldeslilas",
        id="credentials-where",
    ),
    pytest.param(
        "rotation_unknown", drop_field("x", "credentials_rotated"), "X @hoteldeslilas", id="rotation-unknown"
    ),
    pytest.param(
        "credentials_stale",
        set_field("x", "credentials_rotated", "2025-11-01"),
        "X @hoteldeslilas",
        id="credentials-stale",
    ),
    pytest.param(
        "shared_login", set_field("x", "credentials_shared", True), "X @hoteldeslilas", id="shared-password"
    ),
    pytest.param("shared_login", share_grant, "Instagram @hoteldeslilas", id="shared-grant"),
    pytest.param(
        "handle_breaks_rules",
        set_field("x", "handle", "hotel_des_lilas_annecy"),  # 22 characters: X stops at 15
        "X @hotel_des_lilas_annecy",
        id="handle-too-long-for-x",
    ),
    pytest.param(
        "handle_breaks_rules",
        set_field("facebook", "handle", "hotel-des-lilas"),  # Facebook takes no hyphen
        "Facebook @hotel-des-lilas",
        id="handle-character-facebook-forbids",
    ),
    pytest.param(
        "handle_differs",
        set_field("instagram", "handle", "lilas.annecy"),
        "Instagram @lilas.annecy",
        id="handle-differs",
    ),
    pytest.param(
        "role_unreachable", drop_email("claire", "lucas"), "community_manager", id="role-unreachable"
    ),
    pytest.param(
        "no_reachable_backup", single_community_manager, "community_manager", id="no-reachable-backup"
    ),
    pytest.param("person_unreachable", drop_email("lucas"), "Lucas Perrin", id="person-unreachable"),
    pytest.param(
        "template_missing", unknown_template, "alerte_maison (en), alerte_maison (fr)", id="template-missing"
    ),
]


def codes(report) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in report.findings}


def test_the_ready_kit_has_no_finding_and_a_full_score(ready_store):
    report = run_audit(ready_store)

    assert report.findings == ()
    assert report.score == 100
    assert set(report.breakdown.values()) == {100}


@pytest.mark.parametrize(("code", "mistake", "subject"), KIT_MISTAKES)
def test_each_kit_mistake_is_found_with_its_fix_and_fixing_the_kit_clears_it(
    ready_store, load, code, mistake, subject
):
    broken = copy.deepcopy(ready_kit())
    mistake(broken)
    load(ready_store, broken)

    found = [f for f in run_audit(ready_store).findings if f.code == code]
    assert ", ".join(f.subject for f in found) == subject
    finding = found[0]
    for locale in ("fr", "en"):
        assert finding.problem(locale) and finding.fix(locale)
        assert "{" not in finding.problem(locale) + finding.fix(locale)  # every value was filled in
    assert finding.fix("fr") != finding.fix("en")

    load(ready_store, ready_kit())
    assert code not in codes(run_audit(ready_store))


def test_fixes_say_what_to_write_in_the_kit(ready_store, load):
    broken = ready_kit()
    account(broken, "x")["credentials_rotated"] = "2025-11-01"
    load(ready_store, broken)

    [stale] = [f for f in run_audit(ready_store).findings if f.code == "credentials_stale"]
    assert stale.problem("en") == (
        "X @hoteldeslilas: password last changed on 2025-11-01; the policy is every 180 days."
    )
    assert stale.fix("en") == "Change it, then record the date: credentials_rotated: 2026-11-26."
    assert "tous les 180 jours" in stale.problem("fr")


def test_a_person_who_left_with_live_access_is_critical_until_the_revocation_is_recorded(ready_store, load):
    load(ready_store, without_person(ready_kit(), "lucas"))

    report = run_audit(ready_store)
    departed = [f for f in report.findings if f.code == "departed_holds_access"]
    assert sorted(f.subject for f in departed) == ["Facebook @hotel.des.lilas", "Instagram @hoteldeslilas"]
    assert all(f.severity == FindingSeverity.CRITICAL for f in departed)
    assert "cellule kit offboard lucas --mark-revoked" in departed[0].fix("en")
    assert report.score <= CRITICAL_CAP

    grant_ids = [int(f.params["grant"]) for f in departed]
    with transaction(ready_store) as session:
        mark_revoked(session, person_key="lucas", grant_ids=grant_ids, by_key="sophie", at=NOW)
    assert "departed_holds_access" not in codes(run_audit(ready_store))


def test_access_dropped_from_the_kit_without_a_recorded_revocation_is_still_reported(ready_store, load):
    kit = ready_kit()
    kit["access"] = [g for g in kit["access"] if (g["account"], g["person"]) != ("x", "claire")]
    load(ready_store, kit)

    [unlisted] = [f for f in run_audit(ready_store).findings if f.code == "access_unlisted"]
    assert unlisted.subject == "X @hoteldeslilas" and unlisted.params["person"] == "Claire Morel"

    load(ready_store, ready_kit())  # put back in the list: the same access, still live
    assert "access_unlisted" not in codes(run_audit(ready_store))


def test_an_account_holder_who_left_is_critical(ready_store, load, write_yaml):
    # The inventory kept apart from the kit (imported), so the kit can lose Henri while he still holds it.
    kit = ready_kit()
    account(kit, "x")["recovery_owner"] = "henri"
    accounts = read_accounts_file(write_yaml({"accounts": kit.pop("accounts")}))
    kit.pop("access")
    load(ready_store, kit)
    with transaction(ready_store) as session:
        apply_inventory(session, accounts=accounts, grants=None, at=NOW)
    assert "account_person_gone" not in codes(run_audit(ready_store))

    load(ready_store, without_person(kit, "henri"))
    [gone] = [f for f in run_audit(ready_store).findings if f.code == "account_person_gone"]
    assert gone.problem("en") == "X @hoteldeslilas: the recovery owner is Henri Delacroix, who has left."
    assert gone.severity == FindingSeverity.CRITICAL


def test_no_channel_set_up_is_one_finding_not_one_per_person(ready_store):
    report = run_audit(ready_store, channels=frozenset({"console"}))

    assert [f.code for f in report.findings] == ["no_channel_configured"]
    assert "CELLULE_SLACK_BOT_TOKEN" in report.findings[0].fix("en")


def test_people_reachable_only_by_a_channel_that_is_not_set_up_are_unreachable(ready_store):
    report = run_audit(ready_store, channels=frozenset({"console", "slack"}))  # nobody has a Slack id

    assert {f.code for f in report.findings} == {"role_unreachable", "person_unreachable"}


def test_a_playbook_never_rehearsed_or_rehearsed_too_long_ago_is_found(sessions, load):
    kit = ready_kit()
    kit["playbooks"]["account_takeover"] = {"cell": [{"role": "comms_lead"}], "drill_every": "90d"}
    load(sessions, kit)

    report = run_audit(sessions)
    assert sorted(f.subject for f in report.findings if f.code == "never_drilled") == [
        "account_takeover",
        "default",
    ]

    record_drill(sessions, attack_type="account_takeover", at=NOW - timedelta(days=100))
    record_drill(sessions, attack_type="rumor", at=NOW - timedelta(days=100))  # the default's cadence: 180d
    [overdue] = [f for f in run_audit(sessions).findings if f.category == Category.DRILLS]
    assert (overdue.code, overdue.subject) == ("drill_overdue", "account_takeover")
    assert "every 90 days" in overdue.problem("en")

    record_drill(sessions, attack_type="account_takeover", at=NOW - timedelta(days=3))
    assert not [f for f in run_audit(sessions).findings if f.category == Category.DRILLS]


def journal(sessions, *, attack_type: str, ended_days_ago: int, missed: list[str], series: str | None = None):  # type: ignore[no-untyped-def]
    """A drill as the journal keeps it: one run (`series`: of a series) and the targets it missed."""
    results = [{"key": k, "met": k not in missed} for k in ("acknowledge", "assemble", "holding_approved")]
    with transaction(sessions) as session:
        session.add(
            Drill(
                scenario="hijacked-account",
                title="A hijacked brand account",
                mode=DrillMode.SIMULATED if series else DrillMode.LIVE,
                series=series,
                attack_type=attack_type,
                started_at=NOW - timedelta(days=ended_days_ago, hours=1),
                ended_at=NOW - timedelta(days=ended_days_ago),
                results=results,
                document={},
            )
        )


def test_the_latest_drill_of_a_playbook_missing_targets_is_found_until_one_meets_them(ready_store):
    journal(ready_store, attack_type="rumor", ended_days_ago=20, missed=["assemble"])  # the default's
    [failing] = [f for f in run_audit(ready_store).findings if f.code == "drill_targets_failing"]
    assert (failing.subject, failing.category) == ("default", Category.DRILLS)
    assert "(hijacked-account, " in failing.problem("en") and "missed: assemble" in failing.problem("en")
    assert "cellule drill run hijacked-account --runs 20" in failing.fix("en")

    # A series of ten runs of which one missed approval: nine in ten hold, so the target holds.
    for n in range(10):
        journal(
            ready_store,
            attack_type="rumor",
            ended_days_ago=2,
            missed=["holding_approved"] * (n == 0),
            series="s1",
        )
    assert "drill_targets_failing" not in codes(run_audit(ready_store))
    journal(ready_store, attack_type="rumor", ended_days_ago=1, missed=["holding_approved"], series="s2")
    assert "holding approved" in run_audit(ready_store).findings[-1].problem("en")


def test_the_score_weighs_each_category_and_caps_it_while_anything_is_critical(ready_store, load):
    broken = ready_kit()
    account(broken, "x")["credentials_in"] = None  # one warning in accounts
    load(ready_store, broken)
    report = run_audit(ready_store)
    assert report.breakdown[Category.ACCOUNTS] == 80
    assert report.score == 95  # accounts weigh a quarter: 100 - 20 / 4

    account(broken, "x")["two_factor"] = False  # and one critical
    load(ready_store, broken)
    assert run_audit(ready_store).score == CRITICAL_CAP


def test_every_finding_is_worded_in_both_languages():
    for code, (_, _, words) in WORDING.items():
        assert set(words) == {"fr", "en"}, code
        assert all(problem and fix for problem, fix in words.values()), code
