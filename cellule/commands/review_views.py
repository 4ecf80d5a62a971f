"""How `cellule review show` draws a case: the review, its evidence, and its three avenues side by side.

Everything from outside (the review, the author's name, URLs, a platform's error) is printed as Rich
`Text`, never as markup.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands.common import console
from cellule.commands.incidents import local
from flows.quorum import approval_policy, quorum_state
from flows.reviews import CONTACT_WAIT, case_label, case_outcome, ensure_avenues, evidence_intact, reasons_for
from models import AvenueStatus, Draft, Incident, LegalAction, PlatformReport, PublicReply, ReviewCase

STATUS_STYLE = {
    AvenueStatus.NOT_STARTED: "dim",
    AvenueStatus.WAITING: "yellow",
    AvenueStatus.IN_PROGRESS: "yellow",
    AvenueStatus.SUCCEEDED: "green",
    AvenueStatus.FAILED: "red",
    AvenueStatus.ABANDONED: "dim",
}


def print_case(session: Session, incident: Incident, case: ReviewCase, zone: ZoneInfo, now: datetime) -> None:
    """One case in full: the review as it reads now, the evidence, the customer check, the avenues."""
    label = case_label(session, case)
    stars = f"{case.star_rating}★" if case.star_rating is not None else "no rating"
    author = "anonymous" if case.anonymous else (case.author_display_name or "—")
    title = Text(f"{incident.ref} {label} · {case.platform} · {stars} · {author}")
    body = Text(case.text)
    if case.url:
        body.append(f"\n{case.url}", style="dim")
    console.print(Panel(body, title=title, subtitle=Text(f"review id {case.review_id}"), expand=False))
    intact = "intact" if evidence_intact(case) else "ALTERED: its fingerprint no longer matches"
    console.print(
        Text(
            f"Evidence: captured {local(case.evidence_captured_at, zone)}, "
            f"SHA-256 {case.evidence_sha256[:16]}…, {intact}"
            + (" (the review has changed since)" if case.text != case.evidence_text else ""),
            style="default" if evidence_intact(case) else "bold red",
        )
    )
    console.print(
        Text(f"Customer: {case.was_customer}" + (f" — {case.customer_match}" if case.customer_match else ""))
    )
    avenues = ensure_avenues(session, case=case)
    table = Table(title=f"The three avenues of {label}", show_lines=True)
    for column in ("Avenue", "Status", "Where it stands"):
        table.add_column(column)
    rows = (
        ("Report to the platform", avenues.report, _report(avenues.report, case, zone, now)),
        ("Legal", avenues.legal, _legal(avenues.legal, zone)),
        ("Public reply", avenues.reply, _reply(session, incident, avenues.reply, zone)),
    )
    for name, row, details in rows:
        table.add_row(name, Text(row.status.value, style=STATUS_STYLE[row.status]), details)
    console.print(table)
    console.print(_outcome(session, case))


def _report(report: PlatformReport, case: ReviewCase, zone: ZoneInfo, now: datetime) -> Text:
    lines: list[str] = []
    if report.precondition_met_at:
        lines.append(f"reviewer contacted {local(report.precondition_met_at, zone)}")
        if report.reported_at is None:
            lines.append(f"report possible from {local(report.precondition_met_at + CONTACT_WAIT, zone)}")
    if report.reported_at:
        lines.append(f"reported {local(report.reported_at, zone)} as {report.reason}")
        if report.platform_reference:
            lines.append(f"platform reference {report.platform_reference}")
    if report.decided_at:
        lines.append(f"decision: {report.decision} ({local(report.decided_at, zone)})")
        if report.appeal_deadline:
            lines.append(f"appeal until {local(report.appeal_deadline, zone)}")
    elif report.decision_due_at:
        late = " — OVERDUE" if report.decision_due_at <= now else ""
        lines.append(f"decision due {local(report.decision_due_at, zone)}{late}")
        if report.reminders_sent:
            lines.append(f"{report.reminders_sent} reminder(s) sent")
    if report.abandoned_reason:
        lines.append(f"abandoned: {report.abandoned_reason}")
    if not lines:
        reasons = ", ".join(r.code for r in reasons_for(case.platform)) or "the platform's own words"
        lines.append(f"not reported; reasons: {reasons}")
    return Text("\n".join(lines))


def _legal(legal: LegalAction, zone: ZoneInfo) -> Text:
    lines = [
        f"{label}: {value}"
        for label, value in (
            ("counsel", legal.counsel),
            ("insurer", legal.insurer),
            ("reference", legal.case_reference),
            ("opened", local(legal.opened_at, zone) if legal.opened_at else None),
            ("next", _next(legal, zone)),
            ("outcome", legal.outcome),
            ("abandoned", legal.abandoned_reason),
        )
        if value
    ]
    return Text("\n".join(lines) or "no counsel yet")


def _next(legal: LegalAction, zone: ZoneInfo) -> str | None:
    parts = [local(legal.next_date, zone) if legal.next_date else None, legal.next_step]
    return " — ".join(p for p in parts if p) or None


def _reply(session: Session, incident: Incident, reply: PublicReply, zone: ZoneInfo) -> Text:
    if reply.draft_id is None:
        return Text(reply.abandoned_reason and f"abandoned: {reply.abandoned_reason}" or "not drafted")
    draft = session.get_one(Draft, reply.draft_id)
    lines = [f"{draft.label} v{draft.version}: {draft.status}"]
    if reply.published_at:
        lines.append(
            f"published {local(reply.published_at, zone)} by {reply.published_by} ({reply.connector})"
        )
        if reply.published_url:
            lines.append(reply.published_url)
    elif draft.status.value == "awaiting_approval":
        policy = approval_policy(session, incident=incident)
        lines.append(quorum_state(session, draft=draft, policy=policy).explanation)
    if reply.attempts and not reply.published_at:
        lines.append(f"{reply.attempts} attempt(s) through {reply.connector}; last error: {reply.last_error}")
    if reply.abandoned_reason:
        lines.append(f"abandoned: {reply.abandoned_reason}")
    return Text("\n".join(lines))


def _outcome(session: Session, case: ReviewCase) -> Text:
    facts = case_outcome(session, case)
    line = f"Outcome: the review is {facts.outcome}"
    if facts.rating_before is not None or facts.rating_after is not None:
        line += f"; rating {facts.rating_before if facts.rating_before is not None else '?'}"
        line += f" → {facts.rating_after if facts.rating_after is not None else '?'}"
    took = [
        f"{name} {_duration(avenue.took)}"
        for name, avenue in (("report", facts.report), ("legal", facts.legal), ("reply", facts.reply))
        if avenue.took is not None
    ]
    if took:
        line += f". Time taken: {', '.join(took)}"
    return Text(line + ".", style="bold")


def _duration(took: object) -> str:
    seconds = int(took.total_seconds())  # type: ignore[attr-defined]
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    return f"{days} d {hours} h" if days else f"{hours} h {rest // 60:02d} min"
