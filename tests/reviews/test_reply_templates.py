"""Reply drafts from templates: every attack type and tone, in French and English, plain text with the
case's facts — and the reviewer's name treated as the outside text it is. Pure: no store.
"""

from __future__ import annotations

import pytest

from flows.reviews import TONES, ReviewError
from flows.reviews.reply_text import ReplyFacts, render_reply, template_name
from models import AttackType, WasCustomer

FACTS = ReplyFacts(
    business="Hôtel des Lilas",
    platform="Google",
    reviewer="Marc Fontaine",
    star_rating=1,
    was_customer=WasCustomer.NO,
)
OWN_TEMPLATES = ("defamatory_review", "review_bombing")


@pytest.mark.parametrize(
    "locale, greeting", [("fr", "Bonjour Marc Fontaine,"), ("en", "Hello Marc Fontaine,")]
)
@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("attack_type", [a.value for a in AttackType])
def test_every_attack_type_and_tone_has_a_reply_in_each_language(
    attack_type: str, tone: str, locale: str, greeting: str
) -> None:
    text = render_reply(FACTS, attack_type=attack_type, tone=tone, locale=locale)
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == greeting
    assert paragraphs[-1] == "Hôtel des Lilas"
    assert len(paragraphs) >= 3 and all(p == " ".join(p.split()) for p in paragraphs)
    expected = attack_type if attack_type in OWN_TEMPLATES else "default"
    assert template_name(attack_type, tone, locale) == f"review_reply_{expected}_{tone}.txt.j2"


@pytest.mark.parametrize(
    "was_customer, says",
    [
        (WasCustomer.NO, "Nous n'y trouvons aucune réservation ni aucun séjour qui corresponde à votre avis"),
        (WasCustomer.YES, "Nous avons bien retrouvé votre séjour."),
        (WasCustomer.UNKNOWN, "Nous n'avons pas pu rattacher votre avis à un séjour chez nous"),
    ],
)
def test_the_reply_says_what_the_customer_list_told_us(was_customer: WasCustomer, says: str) -> None:
    facts = ReplyFacts(**{**FACTS.__dict__, "was_customer": was_customer})
    assert says in render_reply(facts, attack_type="defamatory_review", tone="factual", locale="fr")


@pytest.mark.parametrize(
    "locale, tone, claim",
    [
        ("fr", "factual", "Nous avons bien retrouvé votre séjour"),
        ("fr", "empathetic", "Nous avons retrouvé votre séjour"),
        ("en", "factual", "We did find your stay"),
        ("en", "empathetic", "We found your stay"),
    ],
)
def test_a_yes_from_a_name_alone_is_not_claimed_in_public(locale: str, tone: str, claim: str) -> None:
    sure = ReplyFacts(**{**FACTS.__dict__, "was_customer": WasCustomer.YES})
    guessed = ReplyFacts(**{**sure.__dict__, "on_name_only": True})

    assert claim in render_reply(sure, attack_type="defamatory_review", tone=tone, locale=locale)
    for attack_type in ("defamatory_review", "review_bombing", "rumor"):
        assert claim not in render_reply(guessed, attack_type=attack_type, tone=tone, locale=locale)


def test_an_anonymous_reviewer_is_greeted_without_a_name() -> None:
    facts = ReplyFacts(**{**FACTS.__dict__, "reviewer": None})
    assert render_reply(facts, attack_type="defamatory_review", tone="empathetic", locale="en").startswith(
        "Hello,\n\nWe are truly sorry"
    )


def test_a_hostile_display_name_is_cleaned_capped_and_never_run_as_a_template() -> None:
    hostile = "{{ business }}\x1b[31m Visit cheap-reviews.example " + "x" * 100
    facts = ReplyFacts(**{**FACTS.__dict__, "reviewer": hostile})
    text = render_reply(facts, attack_type="defamatory_review", tone="factual", locale="en")
    greeting = text.split("\n\n")[0]
    assert "\x1b" not in text
    assert greeting.startswith("Hello {{ business }}[31m Visit cheap-reviews.example")
    assert greeting.endswith("…,") and len(greeting) <= len("Hello ,") + 60


@pytest.mark.parametrize(
    "tone, locale, reason",
    [("angry", "fr", "The tone is one of factual, empathetic, not 'angry'"), ("factual", "de", "not 'de'")],
)
def test_an_unknown_tone_or_language_is_refused(tone: str, locale: str, reason: str) -> None:
    with pytest.raises(ReviewError, match=reason):
        render_reply(FACTS, attack_type="defamatory_review", tone=tone, locale=locale)
