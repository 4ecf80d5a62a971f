"""The exit-on-top part of `cellule show`: the branch and what was gained, the drafts with who approved
which version and where each was published, the commitments, and each review's three avenues.

Outside text (names, review authors, reasons, URLs) is printed as Rich `Text`, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cellule.commands.common import console
from flows.exit_on_top.statements import Publication
from flows.exit_on_top.views import Avenue, ExitView, ReviewAvenues, read_exit_view
from flows.reviews.legal_clock import ClockReading, say_clock
from models import AvenueStatus, Commitment, CommitmentStatus, Decision, Incident, Person

MARKS = {Decision.APPROVE: ("✓", "green"), Decision.REJECT: ("✗", "red")}
AVENUE_STYLE = {
    AvenueStatus.SUCCEEDED: "green",
    AvenueStatus.FAILED: "red",
    AvenueStatus.ABANDONED: "dim",
    AvenueStatus.NOT_STARTED: "yellow",
}
__all__ = ["ExitView", "commitment_row", "local", "print_exit_view", "read_exit_view"]


def local(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment in the reader's zone, to the minute; "—" when it has not happened."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "—"


def print_exit_view(incident: Incident, view: ExitView, zone: ZoneInfo) -> None:
    """Print the exit-on-top sections, compact: empty ones take one dim line."""
    summary = Text("Exit on top: ", style="bold")
    summary.append(incident.exit_branch.replace("_", " ") if incident.exit_branch else "no branch chosen yet")
    if incident.benefit:
        summary.append("\nWhat we gained: ", style="bold")
        summary.append(Text(incident.benefit))
    parts: list[RenderableType] = [summary]
    parts.append(_drafts_table(view, zone) if view.drafts else Text("Drafts: none yet.", style="dim"))
    if view.commitments:
        table = Table(title="Commitments")
        for column in ("", "Commitment", "Owner", "Due", "Status", "Proof or reason"):
            table.add_column(column)
        for number, (commitment, owner) in enumerate(view.commitments, start=1):
            table.add_row(*commitment_row(commitment, owner, number, view.now, zone))
        parts.append(table)
    else:
        parts.append(Text("Commitments: none yet.", style="dim"))
    if view.reviews:
        parts.append(_reviews_table(view.reviews, zone))
    console.print(Group(*parts))


def _drafts_table(view: ExitView, zone: ZoneInfo) -> Table:
    table = Table(title="Drafts and approvals")
    for column in ("Draft", "Kind", "Lang", "V", "Status", "Decisions (who · role · version)", "Published"):
        table.add_column(column)
    for draft in view.drafts:
        decisions = Text()
        for approval in view.decisions.get(draft.id, []):
            mark, style = MARKS[approval.decision]
            voided = approval.voided_at is not None  # an edit voided it: they agreed to other words
            decisions.append(f"{mark} ", style="dim" if voided else style)
            decisions.append(Text(approval.person.name, style="dim" if voided else ""))
            decisions.append(f" · {approval.role} · v{approval.version}" + (" (voided)" if voided else ""))
            decisions.append("\n")
        decisions.rstrip()
        table.add_row(
            draft.label,
            draft.kind.value,
            draft.locale,
            str(draft.version),
            draft.status.value,
            decisions or Text("—"),
            _published(view.published.get(draft.id), zone),
        )
    return table


def _published(publication: Publication | None, zone: ZoneInfo) -> Text:
    if publication is None:
        return Text("—")
    if publication.simulated:
        return Text(f"simulated (drill) · {local(publication.at, zone)}", style="yellow")
    cell = Text(publication.where)
    cell.append(f" · {local(publication.at, zone)} · ")
    cell.append(Text(publication.by))
    if publication.url:
        cell.append("\n")
        cell.append(Text(publication.url))
    return cell


def commitment_row(
    commitment: Commitment, owner: Person, number: int, now: datetime, zone: ZoneInfo
) -> list[str | Text]:
    """One commitment as table cells: label, text, owner, due, status, proof or reason; late stands out."""
    late = commitment.status == CommitmentStatus.OPEN and commitment.due_at < now
    status = Text("late" if late else commitment.status.value, style="bold red" if late else "")
    return [
        f"C{number}",
        Text(commitment.text),
        Text(owner.name),
        local(commitment.due_at, zone),
        status,
        Text(commitment.proof_url or commitment.dropped_reason or ""),
    ]


def _reviews_table(reviews: Sequence[ReviewAvenues], zone: ZoneInfo) -> Table:
    table = Table(title="Review avenues")
    for column in ("Review", "★", "Platform report", "Legal", "Public reply", "Outcome"):
        table.add_column(column)
    for number, avenues in enumerate(reviews, start=1):  # R1, R2…: in the order the cases were opened
        case, report, legal, reply = avenues.case, avenues.report, avenues.legal, avenues.reply
        review = Text(f"R{number} · {case.platform} {case.review_id}\n")
        review.append(Text(case.author_display_name or "anonymous", style="dim"))
        table.add_row(
            review,
            str(case.star_rating or "—"),
            _avenue(report, report and (report.decision or report.reason)),
            _avenue(legal, legal and (legal.outcome or legal.counsel or legal.insurer), avenues.clock),
            _avenue(reply, reply and (reply.published_url or reply.connector or reply.last_error)),
            case.outcome.value + (f" · {local(case.outcome_at, zone)}" if case.outcome_at else ""),
        )
    return table


def _avenue(row: Avenue | None, detail: str | None, clock: ClockReading | None = None) -> Text:
    """An avenue's status with the one detail that says most (why it was abandoned, first)."""
    status = row.status if row is not None else AvenueStatus.NOT_STARTED
    cell = Text(status.value.replace("_", " "), style=AVENUE_STYLE.get(status, ""))
    why = row.abandoned_reason if row is not None and status == AvenueStatus.ABANDONED else detail
    if why:
        cell.append("\n")
        cell.append(Text(why if len(why) <= 80 else why[:79] + "…"))
    if clock is not None:  # the legal avenue: when its action lapses, and whether it has
        cell.append(f"\n{say_clock(clock)}", style="bold red" if clock.lapsed else "")
    return cell
