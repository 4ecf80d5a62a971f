"""The account inventory: declared in the kit or imported from a spreadsheet, stored, and never silent
about an access nobody recorded as revoked. Store tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from flows.kit.inventory import apply_inventory, reference_problems
from flows.kit.inventory_files import (
    accounts_for_export,
    as_csv,
    as_yaml,
    grants_for_export,
    located,
    read_accounts_file,
    read_grants_file,
)
from flows.kit.loading import KitError, read_kit
from flows.kit.schema import AccountSpec, GrantSpec
from flows.prepare.offboarding import mark_revoked
from models import AccessGrant, AccessLevel, SocialAccount, transaction
from tests.prepare.scenario import NOW, ready_kit, without_person

# Line numbers matter: the error tests expect problems on these lines.
KIT_WITH_INVENTORY = """\
kit:
  name: Hôtel des Lilas
  owner: claire
people:
  - key: claire
    name: Claire Morel
    email: claire@lilas.example
roster:
  community_manager: [claire]
playbooks:
  default:
    cell:
      - role: community_manager
accounts:
  - key: instagram
    platform: instagram
    handle: "@hoteldeslilas"
    two_factor: true
    two_factor_holder: claire
    credentials_rotated: 2026-09-14
access:
  - {account: instagram, person: claire, level: admin}
"""


def rows(sessions, model):  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalars(select(model).order_by(model.id)).all()


def test_the_kit_declares_accounts_and_access_and_loading_stores_them(sessions, load):
    load(sessions, ready_kit())

    accounts = {a.key: a for a in rows(sessions, SocialAccount)}
    assert sorted(accounts) == ["facebook", "instagram", "x"]
    assert accounts["facebook"].linked_apps == ["Agorapulse"]
    assert accounts["x"].credentials_rotated_on.isoformat() == "2026-10-01"
    grants = rows(sessions, AccessGrant)
    assert len(grants) == 5 and all(g.revoked_at is None and g.unlisted_at is None for g in grants)
    assert {g.level for g in grants} == {AccessLevel.ADMIN, AccessLevel.EDITOR, AccessLevel.MODERATOR}


def test_a_handle_written_with_its_at_sign_is_stored_without_it(write_kit):
    kit = read_kit(write_kit(KIT_WITH_INVENTORY))
    assert kit.accounts is not None and kit.accounts[0].handle == "hoteldeslilas"


def test_loading_the_kit_again_changes_nothing_but_what_changed(sessions, load):
    load(sessions, ready_kit())
    before = [(g.id, g.level) for g in rows(sessions, AccessGrant)]
    kit = ready_kit()
    kit["access"][1]["level"] = "admin"
    load(sessions, kit)

    after = [(g.id, g.level) for g in rows(sessions, AccessGrant)]
    assert [i for i, _ in after] == [i for i, _ in before]  # the same grants, the same numbers
    assert after[1][1] == AccessLevel.ADMIN


def test_a_kit_without_an_inventory_leaves_the_stored_one_alone(sessions, load):
    load(sessions, ready_kit())
    kit = ready_kit()
    del kit["accounts"], kit["access"]
    load(sessions, kit)

    assert len([a for a in rows(sessions, SocialAccount) if a.active]) == 3
    assert len(rows(sessions, AccessGrant)) == 5


def test_an_account_left_out_of_the_kit_leaves_the_inventory_but_is_kept(sessions, load):
    load(sessions, ready_kit())
    kit = ready_kit()
    kit["accounts"] = [a for a in kit["accounts"] if a["key"] != "x"]
    kit["access"] = [g for g in kit["access"] if g["account"] != "x"]
    load(sessions, kit)

    assert {a.key: a.active for a in rows(sessions, SocialAccount)} == {
        "instagram": True,
        "x": False,
        "facebook": True,
    }


def test_a_revoked_access_is_not_brought_back_by_a_stale_kit_only_by_a_later_grant(sessions, load):
    load(sessions, ready_kit())
    lucas_instagram = next(g for g in rows(sessions, AccessGrant) if g.id == 3)
    with transaction(sessions) as session:
        mark_revoked(session, person_key="lucas", grant_ids=[lucas_instagram.id], by_key="sophie", at=NOW)

    load(sessions, ready_kit())  # the file still lists it
    assert [g.revoked_at for g in rows(sessions, AccessGrant) if g.id == 3] == [NOW]
    assert len(rows(sessions, AccessGrant)) == 5

    kit = ready_kit()
    kit["access"][2]["granted"] = "2026-12-01"  # given back after the revocation
    load(sessions, kit)
    assert len([g for g in rows(sessions, AccessGrant) if g.person_id == lucas_instagram.person_id]) == 3


def test_access_of_someone_removed_from_the_kit_stays_live_until_revoked(sessions, load):
    load(sessions, ready_kit())
    load(sessions, without_person(ready_kit(), "lucas"))

    lucas = [g for g in rows(sessions, AccessGrant) if g.id in (3, 4)]
    assert all(g.revoked_at is None and g.unlisted_at is not None for g in lucas)


MISTAKES = [
    pytest.param(
        ("    two_factor: true\n", "    two_factor: true\n    password: Lilas2026!\n"),
        19,
        "accounts.0.password",
        "never write a password or a code in the kit: say where it is kept instead (credentials_in)",
        id="password",
    ),
    pytest.param(
        ("    two_factor_holder: claire", "    two_factor_holder: lucas"),
        19,
        "accounts.0.two_factor_holder",
        "'lucas' is not one of the people",
        id="unknown-holder",
    ),
    pytest.param(
        ("2026-09-14", "14/09/2026"),
        20,
        "accounts.0.credentials_rotated",
        "not a date: write it like 2026-09-30",
        id="bad-date",
    ),
    pytest.param(
        ('"@hoteldeslilas"', '"hotel des lilas"'),
        17,
        "accounts.0.handle",
        "a handle has no spaces",
        id="handle-with-spaces",
    ),
    pytest.param(
        (
            "{account: instagram, person: claire, level: admin}",
            "{account: tiktok, person: claire, level: admin}",
        ),
        22,
        "access.0.account",
        "'tiktok' is not one of the accounts",
        id="unknown-account",
    ),
    pytest.param(
        ("level: admin}", "level: boss}"),
        22,
        "access.0.level",
        "must be one of 'admin', 'editor', 'moderator' or 'analyst'",
        id="unknown-level",
    ),
    pytest.param(
        ("    two_factor: true\n", "    two_factor: maybe\n"),
        18,
        "accounts.0.two_factor",
        "expected yes or no",
        id="not-a-yes-or-no",
    ),
]


@pytest.mark.parametrize(("edit", "line", "field", "reason"), MISTAKES)
def test_an_inventory_mistake_in_the_kit_is_reported_at_its_line(write_kit, edit, line, field, reason):
    old, new = edit
    assert KIT_WITH_INVENTORY.count(old) == 1
    path = write_kit(KIT_WITH_INVENTORY.replace(old, new))

    with pytest.raises(KitError) as raised:
        read_kit(path)

    assert f"{path}:{line}: {field}: {reason}" in str(raised.value)


def test_access_without_accounts_in_the_kit_is_refused(write_kit):
    text = KIT_WITH_INVENTORY.replace(
        KIT_WITH_INVENTORY[KIT_WITH_INVENTORY.index("accounts:") : KIT_WITH_INVENTORY.index("access:")], ""
    )
    with pytest.raises(KitError, match="access: grants name accounts by key, so the kit needs an accounts"):
        read_kit(write_kit(text))


ACCOUNTS_CSV = """\
key;platform;handle;owner;credentials_in;two_factor;two_factor_holder;credentials_rotated;linked_apps
instagram;instagram;hoteldeslilas;sophie;Bitwarden;oui;sophie;2026-10-01;Agorapulse; Later
"""


def test_accounts_import_from_a_french_spreadsheet(sessions, load, tmp_path):
    load(sessions, ready_kit())
    path = tmp_path / "comptes.csv"
    path.write_text(ACCOUNTS_CSV.replace("Agorapulse; Later", '"Agorapulse; Later"'), encoding="utf-8")

    specs = read_accounts_file(path)
    with transaction(sessions) as session:
        assert reference_problems(session, accounts=specs, grants=None) == []
        change = apply_inventory(session, accounts=specs, grants=None, at=NOW)

    assert (change.accounts_updated, change.accounts_retired) == (1, 2)  # the file is the whole list
    [instagram] = [a for a in rows(sessions, SocialAccount) if a.active]
    assert instagram.two_factor and instagram.linked_apps == ["Agorapulse", "Later"]


def test_a_spreadsheet_mistake_is_reported_at_its_line_and_column(tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_text(
        "key,platform,handle,two_factor,mot_de_passe\n"
        "instagram,instagram,hoteldeslilas,yes,\n"
        "x,x,hotel des lilas,peut-être,\n",
        encoding="utf-8",
    )
    with pytest.raises(KitError) as raised:
        read_accounts_file(path)
    assert (
        str(raised.value)
        == f"{path}:1: mot_de_passe: never put passwords or codes in the inventory: remove it"
    )

    path.write_text(path.read_text().replace(",mot_de_passe", ",brand"), encoding="utf-8")
    with pytest.raises(KitError) as raised:
        read_accounts_file(path)
    problems = str(raised.value).splitlines()
    assert f"{path}:3: handle: a handle has no spaces" in problems[0]
    assert f"{path}:3: two_factor: expected yes or no (true or false) (got 'peut-être')" in problems


def test_an_import_naming_someone_unknown_is_reported_at_the_row(sessions, load, tmp_path):
    load(sessions, ready_kit())
    path = tmp_path / "acces.csv"
    path.write_text(
        "account,person,level\ninstagram,claire,editor\n\ninstagram,lucsa,editor\n", encoding="utf-8"
    )
    specs = read_grants_file(path)
    with transaction(sessions) as session:
        problems = reference_problems(session, accounts=None, grants=specs)

    assert str(located(path, problems)) == f"{path}:4: person: 'lucsa' is not one of the people"


def test_a_spreadsheet_that_is_not_utf8_says_how_to_export_it(tmp_path):
    path = tmp_path / "comptes.csv"
    path.write_bytes("key,platform,handle,brand\ninstagram,instagram,hoteldeslilas,Hôtel\n".encode("latin-1"))
    with pytest.raises(KitError, match=r"comptes.csv:2: not UTF-8 text: export the sheet as « CSV UTF-8 »"):
        read_accounts_file(path)


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_what_is_exported_imports_back_as_the_same_inventory(sessions, load, tmp_path, fmt):
    kit = ready_kit()
    kit["accounts"][0]["brand"] = "=HYPERLINK(1)"  # a cell a spreadsheet would run
    load(sessions, kit)
    with sessions() as session:
        accounts, grants = accounts_for_export(session), grants_for_export(session)
    write = {
        "csv": lambda specs, schema, name: as_csv(specs, schema),
        "yaml": lambda specs, schema, name: as_yaml(name, specs),
    }[fmt]
    accounts_file, grants_file = tmp_path / f"accounts.{fmt}", tmp_path / f"access.{fmt}"
    accounts_file.write_text(write(accounts, AccountSpec, "accounts"), encoding="utf-8")
    grants_file.write_text(write(grants, GrantSpec, "access"), encoding="utf-8")

    if fmt == "csv":
        assert "'=HYPERLINK(1)" in accounts_file.read_text()
    assert read_accounts_file(accounts_file) == accounts
    assert read_grants_file(grants_file) == grants
