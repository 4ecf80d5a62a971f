"""The first words of a public reply, from the kit's templates: by attack type, tone and language.

`notifications/templates/{fr,en}/review_reply_{attack_type}_{tone}.txt.j2`, falling back to
`review_reply_default_{tone}.txt.j2`. Rendered as plain text in Jinja2's sandbox with `StrictUndefined`;
the reviewer's name is outside text, so it is cleaned and capped like any value in a message. Pure: the
cell then edits the words and the quorum approves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from flows.reviews.errors import ReviewError
from models import WasCustomer
from notifications.render import LOCALES, TEMPLATES_DIR, clean_text, truncate

TONES = ("factual", "empathetic")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
MAX_NAME_CHARS = 60  # a display name is the attacker's words: enough for a greeting, no more


@dataclass(frozen=True)
class ReplyFacts:
    """What a reply may say about the case: plain values."""

    business: str  # the target's name, e.g. Hôtel des Lilas
    platform: str
    reviewer: str | None  # the display name, None when anonymous
    star_rating: int | None
    was_customer: WasCustomer
    # A "yes" from a name alone is a guess (namesakes, borrowed pseudonyms): the reply must not claim it.
    on_name_only: bool = False


def _on_name_only(facts: ReplyFacts) -> bool:
    return facts.was_customer == WasCustomer.YES and facts.on_name_only


def template_name(attack_type: str, tone: str, locale: str) -> str:
    """The reply template for this attack type and tone in `locale`; the default one if it has none."""
    if tone not in TONES:
        raise ReviewError(f"The tone is one of {', '.join(TONES)}, not {tone!r}.")
    if locale not in LOCALES:
        raise ReviewError(f"Reply templates exist in {', '.join(LOCALES)}, not {locale!r}.")
    specific = f"review_reply_{attack_type}_{tone}.txt.j2"
    if (TEMPLATES_DIR / locale / specific).is_file():
        return specific
    return f"review_reply_default_{tone}.txt.j2"


def render_reply(facts: ReplyFacts, *, attack_type: str, tone: str, locale: str) -> str:
    """The reply's text, ready to propose as a draft."""
    name = template_name(attack_type, tone, locale)
    values: dict[str, Any] = {
        "business": facts.business,
        "platform": facts.platform,
        "reviewer": truncate(facts.reviewer, MAX_NAME_CHARS) if facts.reviewer else None,
        "star_rating": facts.star_rating,
        "was_customer": "name_only" if _on_name_only(facts) else facts.was_customer.value,
    }
    text = _environment(locale).get_template(name).render(values)
    # Paragraphs as the template lays them out (blank lines between); inside one, lines and block tags
    # leave stray whitespace that a platform would show, so each paragraph becomes one clean line.
    paragraphs = (" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _plain(value: Any) -> str:
    return clean_text("" if value is None else str(value))


@cache
def _environment(locale: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES_DIR / locale),
        undefined=StrictUndefined,
        finalize=_plain,
        autoescape=False,  # plain text for a platform, not HTML
    )
