"""The kit's statement library and legal clocks: prepared words per attack and tier, and when actions lapse.

```yaml
statements:
  - key: fake-review-holding
    attack_type: defamatory_review
    severities: [low, medium]
    author: sophie.marchand          # who wrote it: never one of its approvers
    review_every_months: 6           # an approval older than this no longer counts
    variables:
      target: {type: text, from: target}
      contact: {type: email, value: contact@example.org}
    texts:
      fr: "Nous avons vu l'avis publié sur {{ target }}…"
legal:
  jurisdiction: fr
  remind_role: legal
  remind_before_days: [30, 14, 7, 2]
  clocks:
    fr: {rule: "Loi du 29 juillet 1881, art. 65", months: 3}
```

Texts are written by the kit's people, not by attackers, yet they are rendered in Jinja2's sandbox with
only the declared variables: a name the entry does not declare is refused when the kit is loaded.
"""

from __future__ import annotations

import enum
import re
from calendar import monthrange
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Annotated

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, model_validator

from models import AttackType, Severity

_KEY = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
_NAME = r"^[a-z][a-z0-9_]{0,31}$"
MAX_LIBRARY_CHARS = 5_000  # a draft's cap: a library text becomes a draft
FRANCE = "Loi du 29 juillet 1881 sur la liberté de la presse, art. 65 (prescription de trois mois)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariableType(enum.StrEnum):
    TEXT = "text"
    DATE = "date"
    EMAIL = "email"
    URL = "url"
    PHONE = "phone"


class VariableSource(enum.StrEnum):
    """Where a variable's value comes from at crisis time, when the kit does not fix it."""

    TARGET = "target"  # the name of what is attacked (the place, the brand)
    ORG = "org"  # the kit's name
    TODAY = "today"  # the day the statement is proposed, as its reader writes dates
    DETECTED = "detected"  # the day the incident was detected


class StatementKind(enum.StrEnum):
    HOLDING = "holding"  # the first public word while facts are checked
    REPLY = "reply"  # a reply to a review, shown for the cell to adapt


class Variable(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)  # stored as `source`

    type: VariableType = VariableType.TEXT
    source: VariableSource | None = Field(default=None, alias="from")
    value: str | None = Field(default=None, min_length=1, max_length=300)

    @model_validator(mode="after")
    def _one_origin(self) -> Variable:
        if (self.source is None) == (self.value is None):
            raise ValueError("give a variable either `from:` (target, org, today, detected) or `value:`")
        if self.source in (VariableSource.TODAY, VariableSource.DETECTED) and self.type != VariableType.DATE:
            raise ValueError(f"`from: {self.source}` is a date: declare it `type: date`")
        return self


class StatementEntry(_Strict):
    """One prepared statement: for which attacks and tiers, in which words, with which variables."""

    key: Annotated[str, Field(pattern=_KEY)]
    kind: StatementKind = StatementKind.HOLDING
    attack_type: AttackType
    severities: list[Severity] = Field(min_length=1)
    author: Annotated[str, Field(pattern=_KEY)] | None = None  # None: the kit's owner
    publish_role: Annotated[str, Field(pattern=_NAME)] | None = None  # None: the incident's lead
    review_every_months: int | None = Field(default=6, ge=1, le=36)  # None: approvals never expire
    variables: dict[Annotated[str, Field(pattern=_NAME)], Variable] = Field(default_factory=dict)
    texts: dict[Annotated[str, Field(pattern=r"^(fr|en)$")], str] = Field(min_length=1)

    @model_validator(mode="after")
    def _texts_use_declared_variables(self) -> StatementEntry:
        for locale, text in self.texts.items():
            if not text.strip() or len(text) > MAX_LIBRARY_CHARS:
                raise ValueError(f"texts.{locale}: between 1 and {MAX_LIBRARY_CHARS:,} characters")
            unknown = sorted(used_variables(text) - set(self.variables))
            if unknown:
                raise ValueError(
                    f"texts.{locale} uses {', '.join(unknown)}, not declared under variables "
                    "(anything else is written by the cell, as a new draft)"
                )
        return self


class LegalClockRule(_Strict):
    """How long, from the first publication, an action stays open in one jurisdiction."""

    rule: str = Field(min_length=1, max_length=300)
    months: int = Field(default=0, ge=0, le=120)
    days: int = Field(default=0, ge=0, le=3650)

    @model_validator(mode="after")
    def _some_time(self) -> LegalClockRule:
        if self.months == 0 and self.days == 0:
            raise ValueError("a clock needs months or days")
        return self


class LegalPolicy(_Strict):
    """The legal avenue's clocks: the jurisdiction the cases fall under, and who is reminded when."""

    jurisdiction: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z0-9]{1,8})?$")] = "fr"
    remind_role: Annotated[str, Field(pattern=_NAME)] = "legal"
    remind_before_days: list[Annotated[int, Field(ge=0, le=365)]] = Field(
        default_factory=lambda: [30, 14, 7, 2], max_length=10
    )
    clocks: dict[str, LegalClockRule] = Field(
        default_factory=lambda: {"fr": LegalClockRule(rule=FRANCE, months=3)}
    )

    @model_validator(mode="after")
    def _jurisdiction_has_a_clock(self) -> LegalPolicy:
        if self.jurisdiction not in self.clocks:
            raise ValueError(f"no clock declared for the jurisdiction {self.jurisdiction!r}")
        if len(set(self.remind_before_days)) != len(self.remind_before_days):
            raise ValueError("remind_before_days: each day once")
        return self


_ENVIRONMENT = SandboxedEnvironment()


def used_variables(text: str) -> set[str]:
    """The names a library text refers to; a text that is not a valid template uses "invalid syntax"."""
    try:
        return set(meta.find_undeclared_variables(_ENVIRONMENT.parse(text)))
    except TemplateSyntaxError as exc:
        raise ValueError(f"not a valid text: {exc.message}") from None


def library_problems(
    entries: Sequence[StatementEntry], people: set[str], roster: Mapping[str, Sequence[str]]
) -> Iterator[str]:
    """Cross-references of the library the kit must resolve: one "path: reason" per problem."""
    keys = [e.key for e in entries]
    for dupe in sorted({k for k in keys if keys.count(k) > 1}):
        yield f"statements: {dupe!r} is the key of more than one entry"
    for i, entry in enumerate(entries):
        if entry.author is not None and entry.author not in people:
            yield f"statements.{i}.author: {entry.author!r} is not one of the people"
        if entry.publish_role is not None and not roster.get(entry.publish_role):
            yield f"statements.{i}.publish_role: nobody in the roster holds {entry.publish_role!r}"


def is_variable_value(kind: VariableType, value: str) -> bool:
    """Whether a value fits its declared type (the crisis-time check before a text is rendered)."""
    patterns = {
        VariableType.EMAIL: r"[^@\s]+@[^@\s]+",
        VariableType.URL: r"https?://\S{1,1990}",
        VariableType.PHONE: r"\+?[0-9 ().-]{4,40}",
    }
    pattern = patterns.get(kind)
    return bool(value.strip()) and (pattern is None or re.fullmatch(pattern, value) is not None)


def add_months(moment: datetime, months: int) -> datetime:
    """The same instant `months` calendar months later; the 31st becomes the month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))
