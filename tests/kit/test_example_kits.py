"""The example kits Cellule ships: valid, complete, and their rules do what their comments promise."""

from datetime import UTC, datetime, timedelta

import pytest

from flows.intake.rules import SignalFacts, classify, rate_severity
from flows.kit.loading import KitError, example_kit_names, example_kit_path, read_kit
from flows.kit.schema import Kit
from models import AttackType, Severity

EXAMPLES = ["food_brand", "hotel"]
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def signal(text: str, *, rating: int | None = None, minutes: int = 0) -> SignalFacts:
    return SignalFacts(
        platform="google", text=text, rating=rating, reach=None, observed_at=T0 + timedelta(minutes=minutes)
    )


@pytest.fixture(params=EXAMPLES)
def example(request: pytest.FixtureRequest) -> Kit:
    return read_kit(example_kit_path(request.param))


def test_the_hotel_and_the_food_brand_are_shipped():
    assert example_kit_names() == EXAMPLES


def test_an_unknown_example_name_lists_the_available_ones():
    with pytest.raises(KitError, match="hotl: no such example kit \\(available: food_brand, hotel\\)"):
        example_kit_path("hotl")


def test_every_attack_type_has_its_own_playbook(example: Kit):
    assert set(example.playbooks) == {"default", *(t.value for t in AttackType)}


def test_every_playbook_is_titled_in_french_and_english(example: Kit):
    for name, playbook in example.playbooks.items():
        assert set(playbook.title) == {"fr", "en"}, name


def test_every_role_has_a_primary_and_at_least_one_backup(example: Kit):
    for role, members in example.roster.items():
        assert len(members) >= 2, role


def test_everyone_can_be_reached_by_email_and_slack(example: Kit):
    for person in example.people:
        assert person.email and person.slack_user_id and person.slack_user_id.startswith("U0"), person.key


def test_the_cell_speaks_french_and_english(example: Kit):
    assert {p.locale for p in example.people} == {"fr", "en"}


def test_an_account_takeover_is_answered_faster_than_the_default(example: Kit):
    takeover, default = example.playbooks["account_takeover"].targets, example.playbooks["default"].targets
    assert takeover.acknowledge < default.acknowledge
    assert takeover.first_statement < default.first_statement


def test_a_burst_of_defamatory_reviews_becomes_review_bombing(example: Kit):
    burst = example.playbooks["defamatory_review"].burst
    assert burst is not None and burst.becomes == AttackType.REVIEW_BOMBING


def test_the_hotel_burst_is_five_reviews_in_two_hours():
    burst = read_kit(example_kit_path("hotel")).playbooks["defamatory_review"].burst
    assert (burst.reviews, burst.within) == (5, timedelta(hours=2))


@pytest.mark.parametrize(
    ("kit_name", "text", "rating", "expected"),
    [
        ("hotel", "Le compte Instagram de l'hôtel a été piraté", None, AttackType.ACCOUNT_TAKEOVER),
        ("hotel", "Une fuite de données clients de l'hôtel circule", None, AttackType.DATA_LEAK),
        ("hotel", "Fuite d'eau dans la salle de bain, chambre froide", 2, AttackType.DEFAMATORY_REVIEW),
        ("hotel", "Vue sur le château, whatever, rien de spécial", 2, AttackType.DEFAMATORY_REVIEW),
        ("hotel", "Moquette sale, soirée pirate bruyante", 2, AttackType.DEFAMATORY_REVIEW),
        ("hotel", "Il paraît que l'hôtel va fermer", None, AttackType.RUMOR),
        ("food_brand", "Vidéo choc : le gavage chez un fournisseur", None, AttackType.ACCUSATION),
        ("food_brand", "#boycott de leur dernière publicité", None, AttackType.BAD_BUZZ),
        ("food_brand", "Vu au rayon traiteur d'une grande chaîne", None, AttackType.RUMOR),
    ],
)
def test_signals_are_classified_as_the_kit_comments_say(kit_name, text, rating, expected):
    kit = read_kit(example_kit_path(kit_name))
    assert classify(signal(text, rating=rating), kit.classification) == expected


@pytest.mark.parametrize(
    ("kit_name", "text", "expected"),
    [
        ("hotel", "Nous allons porter plainte", Severity.HIGH),
        ("hotel", "We got food poisoning at dinner", Severity.HIGH),
        ("hotel", "Aucune hygiene dans la cuisine", Severity.HIGH),
        ("food_brand", "De la listeria dans une terrine ?", Severity.CRITICAL),
        ("food_brand", "Undercover footage of force-feeding", Severity.HIGH),
    ],
)
def test_legal_health_and_animal_welfare_words_raise_the_severity(kit_name, text, expected):
    kit = read_kit(example_kit_path(kit_name))
    assert rate_severity([signal(text)], kit.severity_rules, signals_per_hour=1).severity == expected


def test_ten_hotel_signals_within_an_hour_are_critical():
    kit = read_kit(example_kit_path("hotel"))
    quiet = [signal("Nul")]
    assert rate_severity(quiet, kit.severity_rules, signals_per_hour=10).severity == Severity.CRITICAL
    assert rate_severity(quiet, kit.severity_rules, signals_per_hour=9).severity == Severity.LOW
