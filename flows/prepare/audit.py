"""The readiness audit: the kit's gaps, found before an attacker finds them, and one score to keep green.

`take_snapshot` reads what the audit needs (the kit, the people, the inventory, past drills, the message
templates, the channels); `audit` is a pure function of that snapshot, so every check is tested without
a database and gives the same answer twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.drill.journal import latest_failing_targets
from flows.kit.schema import Kit
from flows.prepare.account_risks import (
    AccountFacts,
    GrantFacts,
    Inventory,
    PersonFacts,
    account_findings,
    by_severity,
    read_inventory,
)
from flows.prepare.audit_statements import StatementFacts, statement_facts, statement_findings
from flows.prepare.findings import LANGUAGES, Category, Finding, FindingSeverity
from models import AttackType, Incident, Person, RosterEntry
from notifications.render import LOCALES, TEMPLATES_DIR

# How much of the score each category carries, and what one finding costs its category.
WEIGHTS = {
    Category.ACCESS: 30,
    Category.ACCOUNTS: 25,
    Category.ROSTER: 25,
    Category.DRILLS: 15,
    Category.TEMPLATES: 5,
}
PENALTY = {FindingSeverity.CRITICAL: 50, FindingSeverity.WARNING: 20, FindingSeverity.INFO: 5}
CRITICAL_CAP = 50  # an open door today: however tidy the rest, the kit is at best half ready
TEMPLATE_PARTS = ("subject", "txt", "slack")


@dataclass(frozen=True)
class Snapshot:
    """Everything the audit looks at, read at one moment."""

    kit: Kit
    people: Mapping[str, PersonFacts]  # everyone who was ever in the kit
    roster: Mapping[str, tuple[str, ...]]  # role → person keys, primary first
    accounts: tuple[AccountFacts, ...]  # in the inventory
    grants: tuple[GrantFacts, ...]  # live (not revoked), on accounts of the inventory
    last_drills: Mapping[str, datetime]  # attack type → the latest drill incident of that type
    templates: Mapping[str, frozenset[str]]  # locale → message templates present in full
    channels: frozenset[str]  # the channels configured, console included
    now: datetime
    # attack type → the latest drill (or series) of it: its scenario, when it ended, the targets it failed
    drill_results: Mapping[str, tuple[str, datetime, tuple[str, ...]]] = field(default_factory=dict)
    statements: tuple[StatementFacts, ...] = ()  # the library's texts, one per entry and language

    @property
    def inventory(self) -> Inventory:
        """The part the account check reads."""
        rotate_every = self.kit.readiness.rotate_credentials_every
        return Inventory(self.people, self.accounts, self.grants, rotate_every, self.now)


@dataclass(frozen=True)
class AuditReport:
    at: datetime
    findings: tuple[Finding, ...]  # most severe first
    breakdown: dict[Category, int]  # 0–100 per category
    score: int  # 0–100

    def count(self, severity: FindingSeverity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def take_snapshot(session: Session, *, kit: Kit, now: datetime, channels: frozenset[str]) -> Snapshot:
    """Read what the audit needs from the store and the shipped templates."""
    inventory = read_inventory(session, kit=kit, now=now)
    keys = {p.id: p.key for p in session.scalars(select(Person))}
    roster: dict[str, list[str]] = defaultdict(list)
    for entry in session.scalars(select(RosterEntry).order_by(RosterEntry.role, RosterEntry.rank)):
        roster[entry.role].append(keys[entry.person_id])
    drills = session.execute(
        select(Incident.attack_type, func.max(Incident.detected_at))
        .where(Incident.is_drill)
        .group_by(Incident.attack_type)
    )
    return Snapshot(
        kit=kit,
        people=inventory.people,
        roster={role: tuple(members) for role, members in roster.items()},
        accounts=inventory.accounts,
        grants=inventory.grants,
        last_drills={attack_type.value: at for attack_type, at in drills},
        templates=shipped_templates(),
        channels=channels,
        now=now,
        drill_results=latest_failing_targets(session),
        statements=tuple(statement_facts(session, kit=kit, now=now)),
    )


def shipped_templates() -> dict[str, frozenset[str]]:
    """Per locale, the message templates that have all three parts (subject, text, Slack)."""
    found = {}
    for locale in LOCALES:
        folder = TEMPLATES_DIR / locale
        names = {p.name.removesuffix(".subject.j2") for p in folder.glob("*.subject.j2")}
        found[locale] = frozenset(
            n for n in names if all((folder / f"{n}.{part}.j2").is_file() for part in TEMPLATE_PARTS)
        )
    return found


def audit(snapshot: Snapshot) -> AuditReport:
    """Every finding about the kit, most severe first, with the score and its breakdown."""
    findings = by_severity(
        [
            *account_findings(snapshot.inventory),
            *_roster_findings(snapshot),
            *_template_findings(snapshot),
            *_drill_findings(snapshot),
            *statement_findings(snapshot.statements),
        ]
    )
    breakdown = {
        category: max(0, 100 - sum(PENALTY[f.severity] for f in findings if f.category == category))
        for category in Category
    }
    score = round(sum(WEIGHTS[c] * breakdown[c] for c in Category) / sum(WEIGHTS.values()))
    if any(f.severity == FindingSeverity.CRITICAL for f in findings):
        score = min(score, CRITICAL_CAP)
    return AuditReport(snapshot.now, tuple(findings), breakdown, score)


def reachable(person: PersonFacts, channels: frozenset[str]) -> bool:
    """Whether an alert can reach this person outside Cellule's own console.

    With no channel set up, what counts is whether the kit gives an address at all (that gap is its own
    finding, said once rather than once per person).
    """
    configured = channels - {"console"}
    if not configured:
        return bool(person.email or person.slack_user_id)
    return bool(("slack" in configured and person.slack_user_id) or ("email" in configured and person.email))


def _roster_findings(s: Snapshot) -> Iterator[Finding]:
    if not s.channels - {"console"}:
        yield Finding("no_channel_configured", "channels")
    called_by: dict[str, list[str]] = defaultdict(list)
    for name, playbook in s.kit.playbooks.items():
        for cell_role in playbook.cell:
            called_by[cell_role.role].append(name)
    for role, playbooks in sorted(called_by.items()):
        holders = [s.people[k] for k in s.roster.get(role, ()) if s.people[k].active]
        reach = [p for p in holders if reachable(p, s.channels)]
        params = {"role": role, "playbooks": ", ".join(playbooks)}
        if not reach:
            yield Finding("role_unreachable", role, params)
        elif len(reach) == 1:
            yield Finding("no_reachable_backup", role, params)
    roles_of: dict[str, list[str]] = defaultdict(list)
    for role, keys in s.roster.items():
        for key in keys:
            roles_of[key].append(role)
    for key, roles in sorted(roles_of.items()):
        person = s.people[key]
        if person.active and not reachable(person, s.channels):
            params = {"person": person.name, "person_key": key, "roles": ", ".join(roles)}
            yield Finding("person_unreachable", person.name, params)


def _template_findings(s: Snapshot) -> Iterator[Finding]:
    readers: dict[str, list[str]] = defaultdict(list)
    for keys in s.roster.values():
        for key in keys:
            person = s.people[key]
            if person.active and person.name not in readers[person.locale]:
                readers[person.locale].append(person.name)
    locales = sorted({*readers, s.kit.kit.locale})
    used_by: dict[str, list[str]] = defaultdict(list)
    for name, playbook in s.kit.playbooks.items():
        for template in dict.fromkeys(playbook.templates.values()):
            used_by[template].append(name)
    for template, playbooks in sorted(used_by.items()):
        for locale in locales:
            if template in s.templates.get(locale, frozenset()):
                continue
            names = readers.get(locale) or [s.kit.kit.name]
            params = {
                "template": template,
                "locale": locale,
                "language": LANGUAGES.get(locale, {"en": locale, "fr": locale}),
                "playbooks": ", ".join(playbooks),
                "readers": ", ".join(names[:3]) + ("…" if len(names) > 3 else ""),
            }
            yield Finding("template_missing", f"{template} ({locale})", params)


def _drill_findings(s: Snapshot) -> Iterator[Finding]:
    own = set(s.kit.playbooks)
    for name, playbook in s.kit.playbooks.items():
        if name == "default":
            # The default playbook answers the attack types without their own: their drills are its drills.
            covered = [t.value for t in AttackType if t.value not in own]
            if not covered:
                continue
            last = max((s.last_drills[t] for t in covered if t in s.last_drills), default=None)
        else:
            last = s.last_drills.get(name)
        cadence: timedelta = playbook.drill_every or s.kit.readiness.drill_every
        yield from _failing_targets(s, name, own)
        if last is None:
            yield Finding("never_drilled", name, {"playbook": name})
        elif s.now - last > cadence:
            params = {"playbook": name, "since": last.date().isoformat(), "days": str(cadence.days)}
            yield Finding("drill_overdue", name, params)


def _failing_targets(s: Snapshot, name: str, own: set[str]) -> Iterator[Finding]:
    """The playbook's latest drill (live, or a simulated series) missed targets: say which."""
    types = [name] if name != "default" else [t.value for t in AttackType if t.value not in own]
    latest = [s.drill_results[t] for t in types if t in s.drill_results]
    if not latest:
        return
    scenario, ended, failed = max(latest, key=lambda result: result[1])
    if failed:
        params = {
            "playbook": name,
            "scenario": scenario,
            "targets": ", ".join(t.replace("_", " ") for t in failed),
            "since": ended.date().isoformat(),
        }
        yield Finding("drill_targets_failing", name, params)
