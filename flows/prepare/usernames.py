"""Usernames: what each platform allows in a handle, and whether a brand's handles agree with each other.

The handbook recommends one name everywhere: people find the real account, and an impersonator's
look-alike stands out. A handle a platform forbids is a typo in the kit (or an account that is not ours).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class HandleRule:
    min_length: int
    max_length: int
    allowed: re.Pattern[str]  # the whole handle
    said: dict[str, str]  # the rule in words, per locale


# As each platform's help centre states them (checked in 2026; platforms change them, so update here):
#   X          help.x.com "Username rules" — at most 15 characters: letters A–Z, digits, underscores.
#   Instagram  help.instagram.com "Username" — at most 30 characters: letters, digits, periods, underscores.
#   TikTok     support.tiktok.com "Changing your username" — 2 to 24 characters: letters, digits,
#              underscores, periods, not ending with a period.
#   Facebook   facebook.com/help "Username guidelines" — at least 5 characters: letters, digits, periods.
#   LinkedIn   linkedin.com/help "Customize your public profile URL" — 3 to 100 characters: letters and
#              digits (page URLs also take hyphens).
#   YouTube    support.google.com/youtube "Handles" — 3 to 30 characters: letters, digits, underscores,
#              hyphens, periods.
RULES: dict[str, HandleRule] = {
    "x": HandleRule(
        1,
        15,
        re.compile(r"[A-Za-z0-9_]+"),
        {"en": "at most 15 letters, digits or _", "fr": "15 lettres, chiffres ou _ au plus"},
    ),
    "instagram": HandleRule(
        1,
        30,
        re.compile(r"[A-Za-z0-9._]+"),
        {"en": "at most 30 letters, digits, . or _", "fr": "30 lettres, chiffres, . ou _ au plus"},
    ),
    "tiktok": HandleRule(
        2,
        24,
        re.compile(r"[A-Za-z0-9._]*[A-Za-z0-9_]"),
        {
            "en": "2 to 24 letters, digits, . or _, not ending with .",
            "fr": "2 à 24 lettres, chiffres, . ou _, sans . à la fin",
        },
    ),
    "facebook": HandleRule(
        5,
        50,
        re.compile(r"[A-Za-z0-9.]+"),
        {"en": "at least 5 letters, digits or .", "fr": "au moins 5 lettres, chiffres ou ."},
    ),
    "linkedin": HandleRule(
        3,
        100,
        re.compile(r"[A-Za-z0-9-]+"),
        {"en": "3 to 100 letters, digits or -", "fr": "3 à 100 lettres, chiffres ou -"},
    ),
    "youtube": HandleRule(
        3,
        30,
        re.compile(r"[A-Za-z0-9._-]+"),
        {"en": "3 to 30 letters, digits, _, - or .", "fr": "3 à 30 lettres, chiffres, _, - ou ."},
    ),
}
RULES["twitter"] = RULES["x"]


NAMES = {
    "x": "X",
    "twitter": "X",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "facebook": "Facebook",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "google": "Google",
    "tripadvisor": "Tripadvisor",
    "trustpilot": "Trustpilot",
}


def platform_name(platform: str) -> str:
    """How people write the platform's name: "linkedin" is LinkedIn."""
    return NAMES.get(platform, platform.capitalize())


def account_label(platform: str, handle: str) -> str:
    """An account as people name it: "Instagram @hoteldeslilas"."""
    return f"{platform_name(platform)} @{handle}"


def broken_rule(platform: str, handle: str) -> HandleRule | None:
    """The platform's rule when `handle` breaks it; None when it complies or the platform has no rule here."""
    rule = RULES.get(platform)
    if rule is None:
        return None
    fits = rule.min_length <= len(handle) <= rule.max_length and rule.allowed.fullmatch(handle)
    return None if fits else rule


def same_name(handle: str) -> str:
    """The name a handle spells, whatever a platform's rules forced: hotel.des_lilas is HotelDesLilas."""
    return re.sub(r"[._-]", "", handle).casefold()


def usual_name(handles: Sequence[str]) -> str | None:
    """The handle most of the accounts use (the first such one as written); None when there are none."""
    if not handles:
        return None
    counts = Counter(same_name(h) for h in handles)
    best = max(counts.values())
    return next(h for h in handles if counts[same_name(h)] == best)
