"""Triage as declared rules: which attack type a signal is, how severe an incident is, whether it is a burst.

Pure functions of the kit's rules and the signals' facts: no store, no clock, easy to test and to explain
to the people who wrote the rules.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from flows.kit.schema import ClassificationRule, Condition, SeverityRule
from models import AttackType, Severity


@dataclass(frozen=True)
class SignalFacts:
    """What the rules may look at in one signal."""

    platform: str
    text: str
    rating: int | None
    reach: int | None
    observed_at: datetime


def fold(text: str) -> str:
    """Lower case without accents: how people search, and how rules and targets are compared."""
    if text.isascii():  # nothing to decompose (and most of what is reported, the rules' words too)
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=256)
def _searchable(text: str) -> str:
    """Folded, with runs of spaces as one. Cached: each signal's text meets every rule in a row, and a
    kit's keywords are the same for every signal."""
    return " ".join(fold(text).split())


def target_key(name: str) -> str:
    """One key per target whatever the spelling: "Hôtel  des Lilas" and "hotel des lilas" correlate."""
    return re.sub(r"[^a-z0-9]+", " ", fold(name).encode("ascii", "ignore").decode()).strip()


@functools.lru_cache(maxsize=1024)  # a request names few places, many times
def stored_target_key(name: str) -> str:
    """The key a target is stored under: `target_key`, kept unique within the column's 200 characters.

    Folding can lengthen a name (ligatures), and a name of symbols only folds to nothing.
    """
    key = target_key(name) or name.casefold()
    if len(key) > 200:
        key = key[:135] + "#" + hashlib.sha256(key.encode()).hexdigest()
    return key


def normalise_url(url: str) -> str:
    """Drop what does not change the page: scheme case, host case, fragment, trailing slash."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def dedup_key(
    *, target: str, platform: str, external_id: str | None, url: str | None, author: str | None, text: str
) -> str:
    """The same review or post reported twice gets the same key: platform + id, else URL, else content.

    An id or a URL names one review wherever it is reported from; content alone does not (the same short
    text can be about two places), so a key made of content is scoped to the target's key.
    """
    if external_id:
        basis = f"id|{platform}|{external_id.strip()}"
    elif url:
        basis = f"url|{platform}|{normalise_url(url)}"
    else:
        content = f"{(author or '').strip().casefold()}|{' '.join(text.split()).casefold()}"
        basis = f"text|{target}|{platform}|{content}"
    return hashlib.sha256(basis.encode()).hexdigest()


def _contains_any(text: str, keywords: Sequence[str]) -> bool:
    folded = _searchable(text)
    return any(_searchable(k) in folded for k in keywords)


def condition_holds(condition: Condition, facts: SignalFacts, *, signals_per_hour: int = 0) -> bool:
    """Every part the condition states must hold; an empty condition always holds."""
    return (
        (
            condition.rating_at_most is None
            or (facts.rating is not None and facts.rating <= condition.rating_at_most)
        )
        and (
            condition.reach_at_least is None
            or (facts.reach is not None and facts.reach >= condition.reach_at_least)
        )
        and (
            condition.signals_per_hour_at_least is None
            or signals_per_hour >= condition.signals_per_hour_at_least
        )
        and (condition.platforms is None or facts.platform in condition.platforms)
        # The words last: the other checks are cheaper.
        and (condition.keywords_any is None or _contains_any(facts.text, condition.keywords_any))
    )


def classify(facts: SignalFacts, rules: Sequence[ClassificationRule]) -> AttackType:
    """The first matching rule's attack type; a rated review is a defamatory review; otherwise a rumour."""
    for rule in rules:
        if condition_holds(rule.when, facts):
            return rule.attack_type
    return AttackType.DEFAMATORY_REVIEW if facts.rating is not None else AttackType.RUMOR


@dataclass(frozen=True)
class Rating:
    severity: Severity
    because: tuple[str, ...]  # names of the rules that set it


def rate_severity(
    signals: Sequence[SignalFacts], rules: Sequence[SeverityRule], *, signals_per_hour: int
) -> Rating:
    """The highest severity any rule gives any signal, with the rules that gave it.

    `signals_per_hour` is the incident's busiest hour, counted by the caller (in the store, in one query).
    """
    matched = [
        rule
        for rule in rules
        if any(condition_holds(rule.when, s, signals_per_hour=signals_per_hour) for s in signals)
    ]
    severity = Severity.highest(*(r.severity for r in matched)) if matched else Severity.LOW
    return Rating(severity, tuple(r.name for r in matched if r.severity == severity))
