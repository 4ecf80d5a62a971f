"""Triage rules: dedup keys, targets, classification, severity and bursts — as the kit declares them."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from flows.playbook import Burst, ClassificationRule, Condition, SeverityRule
from flows.triage import (
    SignalFacts,
    classify,
    dedup_key,
    densest_window,
    is_burst,
    rate_severity,
    target_key,
)
from models import AttackType, Severity

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def review(rating=1, text="Horrible", minutes=0, reach=None, platform="google"):
    return SignalFacts(
        platform=platform, text=text, rating=rating, reach=reach, observed_at=T0 + timedelta(minutes=minutes)
    )


def test_same_review_by_id_has_same_key_whatever_the_url():
    a = dedup_key(platform="google", external_id="abc", url="https://g/1", author="x", text="t")
    b = dedup_key(platform="google", external_id="abc", url=None, author=None, text="other")
    assert a == b


def test_same_review_by_url_ignores_case_fragment_and_trailing_slash():
    a = dedup_key(
        platform="tripadvisor",
        external_id=None,
        url="HTTPS://TripAdvisor.com/r/9/#top",
        author=None,
        text="a",
    )
    b = dedup_key(
        platform="tripadvisor", external_id=None, url="https://tripadvisor.com/r/9", author=None, text="b"
    )
    assert a == b


def test_same_id_on_two_platforms_is_two_signals():
    a = dedup_key(platform="google", external_id="1", url=None, author=None, text="t")
    b = dedup_key(platform="trustpilot", external_id="1", url=None, author=None, text="t")
    assert a != b


def test_without_id_or_url_the_content_decides():
    a = dedup_key(platform="x", external_id=None, url=None, author="Bob", text="Ils  mentent")
    b = dedup_key(platform="x", external_id=None, url=None, author="bob", text="ils mentent")
    c = dedup_key(platform="x", external_id=None, url=None, author="bob", text="ils trichent")
    assert a == b != c


def test_target_spellings_correlate():
    assert target_key("Hôtel  des Lilas") == target_key("hotel des lilas!") == "hotel des lilas"


def test_keywords_match_whatever_the_accents_case_and_spacing():
    rules = [
        SeverityRule(
            name="health", when=Condition(keywords_any=["hygiène", "punaises de lit"]), severity=Severity.HIGH
        )
    ]
    assert rate_severity([review(rating=3, text="Aucune HYGIENE")], rules).severity == Severity.HIGH
    assert rate_severity([review(rating=3, text="des punaises\nde  lit")], rules).severity == Severity.HIGH
    assert rate_severity([review(rating=3, text="très propre")], rules).severity == Severity.LOW


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
    rating = rate_severity([review(rating=1), review(rating=4, text="mon avocat", minutes=5)], SEVERITY_RULES)
    assert rating.severity == Severity.HIGH
    assert rating.because == ("legal words",)


def test_no_rule_matched_is_low():
    assert rate_severity([review(rating=4, text="moyen")], SEVERITY_RULES).severity == Severity.LOW


def test_velocity_counts_the_densest_hour_even_for_late_reports():
    storm = [review(rating=3, text="x", minutes=m) for m in range(0, 50, 5)]  # 10 within 45 minutes
    assert rate_severity(storm, SEVERITY_RULES).severity == Severity.CRITICAL
    spread = [review(rating=3, text="x", minutes=m * 30) for m in range(10)]  # 10 over 4.5 hours
    assert rate_severity(spread, SEVERITY_RULES).severity == Severity.LOW


def test_burst_needs_enough_rated_reviews_within_the_window():
    burst = Burst(reviews=5, within=timedelta(hours=2))
    five_fast = [review(minutes=m * 10) for m in range(5)]
    assert is_burst(five_fast, burst)
    assert not is_burst(five_fast[:4], burst)
    five_slow = [review(minutes=m * 40) for m in range(5)]  # 160 minutes from first to last
    assert not is_burst(five_slow, burst)
    posts = [review(rating=None, minutes=m) for m in range(5)]  # posts are not reviews
    assert not is_burst(posts, burst)


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=40), st.integers(min_value=1, max_value=600)
)
def test_densest_window_matches_brute_force(minutes, width):
    times = [T0 + timedelta(minutes=m) for m in minutes]
    expected = max(
        (sum(1 for u in times if t <= u <= t + timedelta(minutes=width)) for t in times), default=0
    )
    assert densest_window(times, timedelta(minutes=width)) == expected
