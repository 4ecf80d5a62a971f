"""Triage rules: dedup keys, targets, classification, severity and bursts — as the kit declares them."""

from datetime import UTC, datetime, timedelta

from flows.intake.rules import (
    SignalFacts,
    classify,
    dedup_key,
    rate_severity,
    target_key,
)
from flows.kit.schema import ClassificationRule, Condition, SeverityRule
from models import AttackType, Severity

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def review(rating=1, text="Horrible", minutes=0, reach=None, platform="google"):
    return SignalFacts(
        platform=platform, text=text, rating=rating, reach=reach, observed_at=T0 + timedelta(minutes=minutes)
    )


def key(target="hotel des lilas", platform="google", external_id=None, url=None, author=None, text="t"):
    return dedup_key(
        target=target, platform=platform, external_id=external_id, url=url, author=author, text=text
    )


def test_same_review_by_id_has_same_key_whatever_the_url():
    assert key(external_id="abc", url="https://g/1", author="x") == key(external_id="abc", text="other")


def test_same_review_by_url_ignores_case_fragment_and_trailing_slash():
    a = key(platform="tripadvisor", url="HTTPS://TripAdvisor.com/r/9/#top", text="a")
    b = key(platform="tripadvisor", url="https://tripadvisor.com/r/9", text="b")
    assert a == b


def test_same_id_on_two_platforms_is_two_signals():
    assert key(platform="google", external_id="1") != key(platform="trustpilot", external_id="1")


def test_without_id_or_url_the_content_decides():
    a = key(platform="x", author="Bob", text="Ils  mentent")
    b = key(platform="x", author="bob", text="ils mentent")
    c = key(platform="x", author="bob", text="ils trichent")
    assert a == b != c


def test_the_same_text_about_another_target_is_another_signal_but_an_id_is_one_review_anywhere():
    assert key(target="hotel des lilas", text="Arnaque") != key(target="maison brunel", text="Arnaque")
    assert key(target="hotel des lilas", external_id="g-1") == key(target="maison brunel", external_id="g-1")
    assert key(target="hotel des lilas", url="https://g/1") == key(target="maison brunel", url="https://g/1")


def test_target_spellings_correlate():
    assert target_key("Hôtel  des Lilas") == target_key("hotel des lilas!") == "hotel des lilas"


def test_keywords_match_whatever_the_accents_case_and_spacing():
    rules = [
        SeverityRule(
            name="health", when=Condition(keywords_any=["hygiène", "punaises de lit"]), severity=Severity.HIGH
        )
    ]
    assert (
        rate_severity([review(rating=3, text="Aucune HYGIENE")], rules, signals_per_hour=1).severity
        == Severity.HIGH
    )
    assert (
        rate_severity([review(rating=3, text="des punaises\nde  lit")], rules, signals_per_hour=1).severity
        == Severity.HIGH
    )
    assert (
        rate_severity([review(rating=3, text="très propre")], rules, signals_per_hour=1).severity
        == Severity.LOW
    )


def test_classification_follows_first_matching_rule_then_defaults():
    rules = [
        ClassificationRule(attack_type=AttackType.ACCOUNT_TAKEOVER, when=Condition(keywords_any=["piraté"]))
    ]
    assert classify(review(rating=None, text="Notre compte est PIRATÉ"), rules) == AttackType.ACCOUNT_TAKEOVER
    assert classify(review(rating=2, text="bof"), rules) == AttackType.DEFAMATORY_REVIEW
    assert classify(review(rating=None, text="on dit que..."), rules) == AttackType.RUMOR


SEVERITY_RULES = [
    SeverityRule(name="one star", when=Condition(rating_at_most=1), severity=Severity.MEDIUM),
    SeverityRule(name="wide reach", when=Condition(reach_at_least=10_000), severity=Severity.HIGH),
    SeverityRule(name="legal words", when=Condition(keywords_any=["avocat"]), severity=Severity.HIGH),
    SeverityRule(name="velocity", when=Condition(signals_per_hour_at_least=10), severity=Severity.CRITICAL),
]


def test_severity_is_the_highest_rule_that_matches_with_its_reasons():
    rating = rate_severity(
        [review(rating=1), review(rating=4, text="mon avocat", minutes=5)], SEVERITY_RULES, signals_per_hour=2
    )
    assert rating.severity == Severity.HIGH
    assert rating.because == ("legal words",)


def test_no_rule_matched_is_low():
    assert (
        rate_severity([review(rating=4, text="moyen")], SEVERITY_RULES, signals_per_hour=1).severity
        == Severity.LOW
    )


def test_velocity_is_the_busiest_hour_the_caller_counted():
    assert (
        rate_severity([review(rating=3, text="x")], SEVERITY_RULES, signals_per_hour=10).severity
        == Severity.CRITICAL
    )
    assert (
        rate_severity([review(rating=3, text="x")], SEVERITY_RULES, signals_per_hour=9).severity
        == Severity.LOW
    )
