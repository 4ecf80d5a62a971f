"""The readiness audit as a scheduled flow: audit the kit, and tell its owner what to fix.

The audit and the owner's message are services (`audit_notice.py`); this flow runs them as one step and
sends what the outbox holds.
"""

from __future__ import annotations

from prefect import flow, task

from flows.prepare.audit_notice import audit_now, tell_the_owner
from flows.runtime import current_runtime
from models import transaction
from notifications import dispatch_due


@task(name="audit-the-kit")
def audit_the_kit() -> int:
    """Audit the kit in force and queue its findings for the owner (one transaction); the score."""
    runtime = current_runtime()
    now = runtime.now()
    with transaction(runtime.sessions) as session:
        kit, report = audit_now(session, now=now, channels=frozenset(runtime.available_channels))
        tell_the_owner(session, kit=kit, report=report, now=now, channels=runtime.available_channels)
        return report.score


@task(name="send-the-audit")
def send_the_audit() -> dict[str, int]:
    """Send what the outbox holds that is due (the owner's message among it)."""
    runtime = current_runtime()
    return dict(vars(dispatch_due(runtime.sessions, channels=runtime.channels, now=runtime.now())))


@flow(name="readiness-audit")
def readiness_audit() -> int:
    """Audit the crisis kit and tell its owner what to fix; the readiness score, 0–100.

    Meant for a daily schedule (server mode), e.g. cron "0 7 * * 1-5" in Europe/Paris: weekday mornings,
    before the team starts, so the owner reads it with their first coffee.
    """
    score = audit_the_kit()
    send_the_audit()
    return score
