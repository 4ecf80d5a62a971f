"""The crisis kit's schema: people, roster, severity and classification rules, playbooks per attack type.

A kit is YAML written by communications people; this is what it must say. Validation is strict
(unknown fields are refused) so a typo never silently turns off part of the protocol.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from models import AttackType, Severity

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def _parse_duration(value: Any) -> Any:
    """Accept "90s", "15m", "2h", "3d" as well as what pydantic already takes (seconds, ISO 8601)."""
    if isinstance(value, str) and (match := _DURATION.match(value)):
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    return value


Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]
Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
Role = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonSpec(Strict):
    key: Key
    name: str = Field(min_length=1, max_length=200)
    locale: str = Field(default="fr", pattern=r"^(fr|en)$")
    timezone: str = "Europe/Paris"
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = None
    slack_user_id: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,30}$")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        # A misspelt zone would only show up when someone is paged at the wrong hour.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            message = f"unknown time zone {value!r} (write it like Europe/Paris or America/Montreal)"
            raise ValueError(message) from None
        return value

    @field_validator("email", "phone")
    @classmethod
    def _fits_the_store(cls, value: str | None, info: ValidationInfo) -> str | None:
        # The store's columns (email 320, phone 40); PostgreSQL would refuse longer values at load time.
        limit = {"email": 320, "phone": 40}[info.field_name]
        if value is not None and len(value) > limit:
            raise ValueError(f"too long ({len(value)} characters; at most {limit})")
        return value


class Condition(Strict):
    """All stated parts must hold for the rule to match."""

    rating_at_most: int | None = Field(default=None, ge=1, le=5)
    reach_at_least: int | None = Field(default=None, ge=0)
    keywords_any: list[str] | None = None
    signals_per_hour_at_least: int | None = Field(default=None, ge=1)
    platforms: list[str] | None = None


class SeverityRule(Strict):
    name: str
    when: Condition
    severity: Severity


class ClassificationRule(Strict):
    attack_type: AttackType
    when: Condition


class CellRole(Strict):
    role: Role
    from_severity: Severity = Severity.LOW


class Burst(Strict):
    """Many reviews of one target within a window: the incident becomes another attack type."""

    reviews: int = Field(ge=2)
    within: Duration
    becomes: AttackType = AttackType.REVIEW_BOMBING


class Targets(Strict):
    """Response-time targets the cell is held to (and drills test)."""

    acknowledge: Duration = timedelta(minutes=15)
    assemble: Duration = timedelta(hours=1)
    first_statement: Duration = timedelta(hours=2)


class Escalation(Strict):
    """How the cell gathers: remind the silent, then call their backup; tell the next tier of a gap."""

    ack_timeout: Duration = timedelta(minutes=15)  # per person, before each reminder and the backup
    reminders: int = Field(default=1, ge=0, le=5)  # reminders before the backup is called
    # Roles told, tier after tier, when a role of the cell cannot be filled (nobody left to call).
    tiers: list[list[Role]] = Field(default_factory=lambda: [["comms_lead"], ["executive"]])


class ApprovalPolicy(Strict):
    """The quorum: no public text leaves without the agreement of others (never the author alone)."""

    approvers: int = Field(default=2, ge=1, le=10)
    from_roles: list[Role] = Field(default_factory=lambda: ["comms_lead", "legal", "executive"])
    distinct_roles: bool = True  # two approvals from the same role count once
    target: Duration = timedelta(hours=1)  # a draft still waiting after this is a reminder


class Reminders(Strict):
    """Nudges for what is stuck, at a cadence and capped, so a crisis never turns into spam."""

    every: Duration = timedelta(minutes=15)
    at_most: int = Field(default=3, ge=0, le=10)
    lead_role: Role = "comms_lead"  # the incident's lead is whoever first acknowledges this role


class Playbook(Strict):
    title: dict[str, str] = Field(default_factory=dict)  # by locale
    correlation_window: Duration = timedelta(hours=48)
    cell: list[CellRole] = Field(min_length=1)
    targets: Targets = Targets()
    templates: dict[str, str] = Field(default_factory=lambda: {"alert": "alert"})
    burst: Burst | None = None
    escalation: Escalation = Escalation()
    approval: ApprovalPolicy = ApprovalPolicy()
    reminders: Reminders = Reminders()

    def roles_for(self, severity: Severity) -> list[str]:
        """The roles this playbook calls at a given severity, in declared order."""
        return [c.role for c in self.cell if c.from_severity.rank <= severity.rank]


class KitInfo(Strict):
    name: str = Field(min_length=1, max_length=200)
    owner: Key
    locale: str = Field(default="fr", pattern=r"^(fr|en)$")


class Kit(Strict):
    kit: KitInfo
    people: list[PersonSpec] = Field(min_length=1)
    roster: dict[Role, list[Key]]
    severity_rules: list[SeverityRule] = Field(default_factory=list)
    classification: list[ClassificationRule] = Field(default_factory=list)
    playbooks: dict[str, Playbook]

    @model_validator(mode="after")
    def _references_resolve(self) -> Kit:
        # Every problem at once, one "path: reason" per line, so a kit is fixed in one pass.
        problems = list(self._reference_problems())
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _reference_problems(self) -> Iterator[str]:
        keys = [p.key for p in self.people]
        for dupe in sorted({k for k in keys if keys.count(k) > 1}):
            yield f"people: {dupe!r} is the key of more than one person"
        known = set(keys)
        if self.kit.owner not in known:
            yield f"kit.owner: {self.kit.owner!r} is not one of the people"
        for role, members in self.roster.items():
            for member in members:
                if member not in known:
                    yield f"roster.{role}: {member!r} is not one of the people"
            for dupe in sorted({m for m in members if members.count(m) > 1}):
                yield f"roster.{role}: {dupe!r} is listed twice"
        allowed = {"default", *(t.value for t in AttackType)}
        for name, playbook in self.playbooks.items():
            if name not in allowed:
                yield f"playbooks.{name}: not an attack type (expected one of {', '.join(sorted(allowed))})"
            # A role nobody holds can never be assembled: a typo here would silently drop it from the cell.
            for role in (c.role for c in playbook.cell if not self.roster.get(c.role)):
                yield f"playbooks.{name}.cell: {role!r} is called but nobody in the roster holds it"
        if "default" not in self.playbooks:
            yield "playbooks: a 'default' playbook is required for attack types without their own"

    def playbook_for(self, attack_type: AttackType) -> Playbook:
        return self.playbooks.get(attack_type.value) or self.playbooks["default"]
