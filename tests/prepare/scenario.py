"""The prepare tests' scenario: a small, fully ready kit to break one way at a time, and a fixed clock.

`ready_kit()` has no finding at all (with email configured and a recent drill): each test breaks it in
one place and expects exactly that finding, then fixes it and expects it gone.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cellule.reporting import report_attacks
from flows.intake.reports import parse_report
from flows.kit.loading import require_kit
from flows.prepare.audit import AuditReport, audit, take_snapshot
from flows.runtime import Runtime, use_runtime
from models import transaction

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EMAIL = frozenset({"console", "email"})


@dataclass
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


def ready_kit() -> dict[str, Any]:
    """A hotel kit with nothing to fix: two reachable people per role, accounts locked down."""
    account = {
        "credentials_in": "Bitwarden, coffre Réseaux",
        "two_factor": True,
        "two_factor_holder": "sophie",
        "recovery_owner": "sophie",
        "recovery_contact": "reseaux@lilas.example",
        "credentials_rotated": "2026-10-01",
        "owner": "sophie",
    }
    return {
        "kit": {"name": "Hôtel des Lilas", "owner": "sophie", "locale": "fr"},
        "people": [
            {"key": "sophie", "name": "Sophie Marchand", "email": "sophie@lilas.example"},
            {"key": "henri", "name": "Henri Delacroix", "email": "henri@lilas.example"},
            {"key": "claire", "name": "Claire Morel", "email": "claire@lilas.example"},
            {"key": "lucas", "name": "Lucas Perrin", "email": "lucas@lilas.example", "locale": "en"},
        ],
        "roster": {"community_manager": ["claire", "lucas"], "comms_lead": ["sophie", "henri"]},
        "playbooks": {"default": {"cell": [{"role": "community_manager"}, {"role": "comms_lead"}]}},
        "accounts": [
            {"key": "instagram", "platform": "instagram", "handle": "hoteldeslilas", **account},
            {"key": "x", "platform": "x", "handle": "hoteldeslilas", **account},
            {
                "key": "facebook",
                "platform": "facebook",
                "handle": "hotel.des.lilas",
                "linked_apps": ["Agorapulse"],
                **account,
            },
        ],
        "access": [
            {"account": "instagram", "person": "sophie", "level": "admin", "via": "Bitwarden"},
            {"account": "instagram", "person": "claire", "level": "editor", "via": "Agorapulse"},
            {"account": "instagram", "person": "lucas", "level": "editor", "via": "Agorapulse"},
            {"account": "facebook", "person": "lucas", "level": "moderator", "via": "Agorapulse"},
            {"account": "x", "person": "claire", "level": "editor", "via": "Agorapulse"},
        ],
    }


def without_person(kit: dict[str, Any], key: str) -> dict[str, Any]:
    """The kit after `key` left: out of the people, the roster and the access lines."""
    kit = copy.deepcopy(kit)
    kit["people"] = [p for p in kit["people"] if p["key"] != key]
    kit["roster"] = {role: [k for k in keys if k != key] for role, keys in kit["roster"].items()}
    if kit.get("access") is not None:
        kit["access"] = [g for g in kit["access"] if g["person"] != key]
    return kit


def run_audit(
    sessions: sessionmaker[Session], *, channels: frozenset[str] = EMAIL, now: datetime = NOW
) -> AuditReport:
    """`cellule audit`, as data."""
    with transaction(sessions) as session:
        kit = require_kit(session)
        return audit(take_snapshot(session, kit=kit, now=now, channels=channels))


def record_drill(sessions: sessionmaker[Session], *, attack_type: str, at: datetime) -> None:
    """A drill of this attack type, held at `at` (a drill incident, as a drill leaves in the store)."""
    runtime = Runtime(sessions=sessions, channels={}, clock=FixedClock(at))
    report = parse_report(
        {
            "target": f"Exercice {attack_type} {at:%Y-%m-%d}",
            "text": f"Exercice : {attack_type}",
            "attack_type": attack_type,
            "is_drill": True,
            "observed_at": at,
            "external_id": f"drill-{attack_type}-{at.isoformat()}",
        }
    )
    with use_runtime(runtime):
        report_attacks(runtime, [report], source="cli")
