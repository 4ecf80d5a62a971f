"""The kit's cover of an incident's roles as a plain function: what it lacks before anyone is called."""

from __future__ import annotations

from flows.kit import Kit, RoleCover, find_gaps
from models import AttackType, Incident, Person

KIT = Kit.model_validate(
    {
        "kit": {"name": "Hôtel des Lilas", "owner": "claire"},
        "people": [{"key": "claire", "name": "Claire Morel"}, {"key": "lucas", "name": "Lucas Perrin"}],
        "roster": {"community_manager": ["claire", "lucas"], "legal": ["lucas"]},
        "playbooks": {
            "default": {"cell": [{"role": "community_manager"}]},
            "defamatory_review": {"cell": [{"role": "community_manager"}, {"role": "legal"}]},
        },
    }
)
CLAIRE, LUCAS = Person(key="claire", name="Claire Morel"), Person(key="lucas", name="Lucas Perrin")


def gaps(covers: list[RoleCover], attack_type: AttackType) -> list[tuple[str, str]]:
    incident = Incident(attack_type=attack_type)
    return [(gap.code, gap.subject) for gap in find_gaps(covers, kit=KIT, incident=incident)]


def test_a_role_held_by_a_primary_and_a_backup_lacks_nothing():
    assert gaps([RoleCover("community_manager", (CLAIRE, LUCAS))], AttackType.DEFAMATORY_REVIEW) == []


def test_a_role_with_one_person_has_no_backup_and_a_role_with_none_has_nobody():
    covers = [RoleCover("community_manager", (CLAIRE,)), RoleCover("legal", ())]
    assert gaps(covers, AttackType.DEFAMATORY_REVIEW) == [
        ("no_backup", "community_manager"),
        ("no_one_for_role", "legal"),
    ]


def test_an_attack_type_without_its_own_playbook_says_the_default_is_used():
    covers = [RoleCover("community_manager", (CLAIRE, LUCAS))]
    assert gaps(covers, AttackType.RUMOR) == [("no_playbook", "rumor")]


def test_the_primary_is_the_first_person_of_the_cover():
    assert RoleCover("legal", (LUCAS, CLAIRE)).primary is LUCAS
    assert RoleCover("legal", ()).primary is None
