"""Prepare (être préparé): a social-media crisis is hard even prepared, so be ready before it comes.

Emotions push people into bad moves; so rehearse like a fire drill, and keep the kit in order: every
account in the inventory with its logins and rights, individual access that can be revoked the day
someone leaves, a roster with backups, playbooks and templates (DOMAIN.md). When an incident opens, the
phase checks the kit covers what its playbook asks, and for a hijacked account hands the cell what the
inventory knows: who holds its rights, its second factor and its recovery.

`audit` scores the kit's readiness (a pure function of a snapshot) and `audit_notice` tells its owner;
`account_risks` is the narrow check of the accounts themselves, which `takeover` uses for one account;
`findings` words every finding in French and English; `usernames` knows each platform's handles;
`offboarding` plans what to take back when someone leaves. The phase's Prefect flow is `flow.py`, the
scheduled audit `readiness.py` (imported only where they run, so reading the kit never starts Prefect).
"""

from flows.prepare.account_risks import Inventory, account_findings, read_inventory
from flows.prepare.audit import AuditReport, Snapshot, audit, take_snapshot
from flows.prepare.audit_notice import audit_now, tell_the_owner
from flows.prepare.findings import Category, Finding, FindingSeverity
from flows.prepare.offboarding import OffboardingError, OffboardingPlan, mark_revoked, offboarding_plan
from flows.prepare.takeover import AccountAccess, account_access, accounts_concerned, steps_summary
from flows.prepare.usernames import account_label, platform_name

__all__ = [
    "AccountAccess",
    "AuditReport",
    "Category",
    "Finding",
    "FindingSeverity",
    "Inventory",
    "OffboardingError",
    "OffboardingPlan",
    "Snapshot",
    "account_access",
    "account_findings",
    "account_label",
    "accounts_concerned",
    "audit",
    "audit_now",
    "mark_revoked",
    "offboarding_plan",
    "platform_name",
    "read_inventory",
    "steps_summary",
    "take_snapshot",
    "tell_the_owner",
]
