"""The crisis kit's schema: people, roster, severity and classification rules, playbooks per attack type.

A kit is YAML written by communications people; this is what it must say. Validation is strict
(unknown fields are refused) so a typo never silently turns off part of the protocol.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from flows.kit.library_schema import LegalPolicy, StatementEntry, library_problems
from models import AccessLevel, AttackType, Severity
from notifications.render import LOCALES, TEMPLATES_DIR

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
Platform = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


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


Language = Literal["fr", "en"]


def _statement_template(value: str) -> str:
    if not re.fullmatch(r"statement_[a-z0-9_]{1,60}", value):
        raise ValueError(
            f"a statement template's name starts with statement_, like statement_holding (got {value!r})"
        )
    return value


StatementTemplate = Annotated[str, AfterValidator(_statement_template)]


class StatementTemplates(Strict):
    """The templates each exit-on-top statement is drafted from (`notifications/templates/{fr,en}/`)."""

    holding: StatementTemplate = "statement_holding"
    already_handled: StatementTemplate = "statement_already_handled"
    not_handled: StatementTemplate = "statement_apology"

    @model_validator(mode="after")
    def _templates_exist(self) -> StatementTemplates:
        # A misspelt name would only show up when the cell needs the statement, mid-crisis.
        for name in (self.holding, self.already_handled, self.not_handled):
            for locale in LOCALES:
                if not (TEMPLATES_DIR / locale / f"{name}.txt.j2").is_file():
                    raise ValueError(f"no statement template {name!r} in {locale}")
        return self


class CommitmentReminders(Strict):
    """Owners of public commitments are reminded once before the due date, then while late, capped."""

    before: Duration = timedelta(days=3)
    every: Duration = timedelta(days=7)  # while late
    at_most: int = Field(default=3, ge=0, le=10)


class ExitCriteria(Strict):
    """What must hold before the incident resolves (what the organisation gained is always asked for)."""

    avenues_concluded: bool = True  # every review avenue concluded, or abandoned with a reason
    statements_published: bool = True  # the branch's follow-up statement, in every language
    commitments_if_not_handled: int = Field(default=1, ge=0, le=20)  # recorded before the apology


class ExitPolicy(Strict):
    """Exit on top: the statements (languages, templates), the commitments, and when the incident resolves."""

    languages: list[Language] | None = Field(default=None, min_length=1)  # None: the kit's locale
    templates: StatementTemplates = StatementTemplates()
    guidelines_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")
    commitment_due: Duration = timedelta(days=30)  # when a commitment recorded without a date is due
    commitment_reminders: CommitmentReminders = CommitmentReminders()
    criteria: ExitCriteria = ExitCriteria()

    @field_validator("languages")
    @classmethod
    def _once_each(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("each language once")
        return value


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
    drill_every: Duration | None = None  # how often it is rehearsed; None: the kit's readiness policy
    exit: ExitPolicy = ExitPolicy()

    def roles_for(self, severity: Severity) -> list[str]:
        """The roles this playbook calls at a given severity, in declared order."""
        return [c.role for c in self.cell if c.from_severity.rank <= severity.rank]


class KitInfo(Strict):
    name: str = Field(min_length=1, max_length=200)
    owner: Key
    locale: str = Field(default="fr", pattern=r"^(fr|en)$")


def _handle(value: Any) -> Any:
    """A handle as people write it: "@hoteldeslilas" and "hoteldeslilas" are the same."""
    return value.strip().removeprefix("@") if isinstance(value, str) else value


# Field names that announce a secret: the kit says where credentials live, never what they are (such a field
# is refused with its own reason, see flows/kit/loading.py).
SECRET_FIELD = re.compile(r"pass|mot_de_passe|secret|token|pin\b|code_2fa|otp", re.IGNORECASE)


class AccountSpec(Strict):
    """A social account of the organisation, and who answers for its security."""

    key: Key
    platform: Platform  # facebook, instagram, x, tiktok, linkedin, youtube…
    handle: Annotated[str, BeforeValidator(_handle), Field(min_length=1, max_length=100, pattern=r"^\S+$")]
    url: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")
    brand: str | None = Field(default=None, min_length=1, max_length=200)  # kits covering several brands
    owner: Key | None = None  # answers for the account
    credentials_in: str | None = Field(default=None, min_length=1, max_length=200)  # a vault, a tool
    credentials_shared: bool = False  # several people log in with the same password
    two_factor: bool = False
    two_factor_holder: Key | None = None  # who has the phone or the key
    recovery_owner: Key | None = None  # who owns the recovery email or phone
    recovery_contact: str | None = Field(default=None, min_length=1, max_length=320)
    credentials_rotated: date | None = None  # when the password was last changed
    linked_apps: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list)


class GrantSpec(Strict):
    """One person's access to one account (e.g. editor through the management platform)."""

    account: Key
    person: Key
    level: AccessLevel
    via: str | None = Field(default=None, min_length=1, max_length=200)  # the tool the access goes through
    shared: bool = False  # logs in with a shared login rather than their own access
    granted: date | None = None


class Readiness(Strict):
    """The policy the readiness audit holds the kit to."""

    rotate_credentials_every: Duration = timedelta(days=180)
    drill_every: Duration = timedelta(days=180)  # a playbook may ask for more often (its drill_every)


class Kit(Strict):
    kit: KitInfo
    people: list[PersonSpec] = Field(min_length=1)
    roster: dict[Role, list[Key]]
    severity_rules: list[SeverityRule] = Field(default_factory=list)
    classification: list[ClassificationRule] = Field(default_factory=list)
    playbooks: dict[str, Playbook]
    # Absent: the inventory is kept elsewhere (CSV import). Present: the whole inventory.
    accounts: list[AccountSpec] | None = None
    access: list[GrantSpec] | None = None
    readiness: Readiness = Readiness()
    statements: list[StatementEntry] = Field(default_factory=list)  # the library (statement-library.md)
    legal: LegalPolicy = LegalPolicy()

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
        yield from self._inventory_problems(known)
        yield from library_problems(self.statements, known, self.roster)

    def _inventory_problems(self, people: set[str]) -> Iterator[str]:
        accounts = [a.key for a in self.accounts or []]
        for dupe in sorted({k for k in accounts if accounts.count(k) > 1}):
            yield f"accounts: {dupe!r} is the key of more than one account"
        for i, account in enumerate(self.accounts or []):
            for field in ("owner", "two_factor_holder", "recovery_owner"):
                if (key := getattr(account, field)) is not None and key not in people:
                    yield f"accounts.{i}.{field}: {key!r} is not one of the people"
        if self.access is not None and self.accounts is None:
            yield "access: grants name accounts by key, so the kit needs an accounts section too"
            return
        seen: set[tuple[str, str]] = set()
        for i, grant in enumerate(self.access or []):
            if grant.account not in accounts:
                yield f"access.{i}.account: {grant.account!r} is not one of the accounts"
            if grant.person not in people:
                yield f"access.{i}.person: {grant.person!r} is not one of the people"
            if (grant.account, grant.person) in seen:
                yield f"access.{i}: {grant.person!r} is already listed for {grant.account!r}"
            seen.add((grant.account, grant.person))

    def playbook_for(self, attack_type: AttackType) -> Playbook:
        return self.playbooks.get(attack_type.value) or self.playbooks["default"]
