"""`cellule draft`, `drafts`, `approve`, `reject`, `edit`: public text leaves only with the cell's agreement.

Each action is one transaction: a refused action says why (exit code 2) and changes nothing. After an
action the messages it queued (approval requests, decisions) are sent at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands.common import console, fail, follow_up, open_runtime, reader_zone
from cellule.commands.incidents import ZoneOption, local
from flows.kit.loading import require_kit
from flows.lookups import DRAFT_FILE, draft_by_label, file_text, incident_by_reference, person_by_key
from flows.quorum import (
    QuorumState,
    approval_policy,
    approve_draft,
    edit_draft,
    eligible_approvers,
    propose_draft,
    quorum_state,
    reject_draft,
)
from flows.quorum.views import DraftLine, DraftView, read_draft, read_drafts
from flows.runtime import Runtime
from models import Approval, Decision, DraftKind, DraftStatus, Incident, Person, transaction

RefArgument = Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")]
LabelArgument = Annotated[str, typer.Argument(help="The draft, e.g. D1.")]
AsOption = Annotated[str, typer.Option("--as", help="Who you are: your key in the kit, e.g. anne.roux.")]
TextOption = Annotated[str | None, typer.Option("--text", help="The public text, as it would be published.")]
FileOption = Annotated[Path | None, typer.Option("--file", help="Read the public text from this UTF-8 file.")]
VersionOption = Annotated[
    int | None,
    typer.Option("--version", help="The version you read; refused if the text changed since."),
]
MARKS = {Decision.APPROVE: ("✓", "green"), Decision.REJECT: ("✗", "red")}


def draft(
    ref: RefArgument,
    as_: AsOption,
    kind: Annotated[DraftKind, typer.Option(help="What the text is.")] = DraftKind.HOLDING_STATEMENT,
    text: TextOption = None,
    file: FileOption = None,
    locale: Annotated[str | None, typer.Option(help="The language of the text (default: the kit's).")] = None,
) -> None:
    """Propose a public text (holding statement, review reply…) and ask the cell to approve it."""
    body = _text_from(text, file)

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, author = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
        language = locale or require_kit(session).kit.locale
        proposed = propose_draft(
            session,
            incident=incident,
            author=author,
            kind=kind,
            text=body,
            locale=language,
            at=runtime.now(),
            available=runtime.available_channels,
        )
        policy = approval_policy(session, incident=incident)
        asked = eligible_approvers(session, incident=incident, policy=policy, exclude=[author.id])
        state = quorum_state(session, draft=proposed, policy=policy)
        line = Text(f"✓ {proposed.label} proposed for {incident.ref} ({kind}, version 1).\n", style="green")
        if asked:
            line.append("Approval asked of: ", style="default")
            line.append(", ".join(f"{p.name} ({role})" for p, role in asked), style="default")
        else:
            line.append("Nobody in the cell can approve it yet.", style="yellow")
        return incident, _with_state(line, state)

    _run(act)


def drafts(
    ref: RefArgument,
    label: Annotated[str | None, typer.Argument(help="Show one draft in full, e.g. D1.")] = None,
    tz: ZoneOption = None,
) -> None:
    """List an incident's drafts and what each still needs; with a label, one draft in full."""
    zone = reader_zone(tz)
    with transaction(open_runtime().sessions) as session:
        if label is not None:
            _print_draft(read_draft(session, ref=ref, label=label), zone)
            return
        view = read_drafts(session, ref=ref)
    if not view.drafts:
        console.print(
            f"No draft for {view.incident_ref} yet. `cellule draft {view.incident_ref} --as …` proposes one."
        )
        return
    table = Table(title=f"Drafts of {view.incident_ref}")
    for column in ("Draft", "Kind", "Version", "Status", "Decisions", "Still needed", "Text"):
        table.add_column(column)
    for line in view.drafts:
        row = line.draft
        table.add_row(
            row.label,
            row.kind.value,
            str(row.version),
            row.status.value,
            _decisions_text(line),
            _needs(line),
            Text(row.text if len(row.text) <= 60 else row.text[:59] + "…"),
        )
    console.print(table)


def approve(ref: RefArgument, label: LabelArgument, as_: AsOption, version: VersionOption = None) -> None:
    """Approve a draft: when enough of the cell agree, it is approved for publication."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
        target = draft_by_label(session, incident=incident, label=label)
        state = approve_draft(
            session,
            draft=target,
            person=person,
            at=runtime.now(),
            available=runtime.available_channels,
            version=version,
        )
        line = Text(f"✓ {person.name} approves {target.label} (version {target.version}).", style="green")
        return incident, _with_state(line, state)

    _run(act)


def reject(
    ref: RefArgument,
    label: LabelArgument,
    as_: AsOption,
    comment: Annotated[str, typer.Option(help="What must change: the author reads it.")],
    version: VersionOption = None,
) -> None:
    """Send a draft back to whoever wrote it, with a comment saying what must change."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
        target = draft_by_label(session, incident=incident, label=label)
        reject_draft(
            session,
            draft=target,
            person=person,
            comment=comment,
            at=runtime.now(),
            available=runtime.available_channels,
            version=version,
        )
        author = session.get_one(Person, target.author_id)
        message = f"✓ {target.label} (version {target.version}) sent back to {author.name} with your comment."
        return incident, Text(message, style="green")

    _run(act)


def edit(
    ref: RefArgument, label: LabelArgument, as_: AsOption, text: TextOption = None, file: FileOption = None
) -> None:
    """Change a draft's text: a new version, approved anew (approvals of earlier versions no longer count)."""
    body = _text_from(text, file)

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, editor = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
        target = edit_draft(
            session,
            draft=draft_by_label(session, incident=incident, label=label),
            editor=editor,
            text=body,
            at=runtime.now(),
            available=runtime.available_channels,
        )
        policy = approval_policy(session, incident=incident)
        line = Text(f"✓ {target.label} is now version {target.version}, awaiting approval.", style="green")
        return incident, _with_state(line, quorum_state(session, draft=target, policy=policy))

    _run(act)


def _run(act: Callable[[Session, Runtime], tuple[Incident, Text]]) -> None:
    """One transaction for the action; refused → nothing stored, exit 2; done → send what it queued."""
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        incident, outcome = act(session, runtime)
    console.print(outcome)
    follow_up(runtime, [incident.id], doing="Sending the messages…", protocol=False)


def _with_state(line: Text, state: QuorumState) -> Text:
    line.append("\n" + state.explanation, style="bold" if state.approved else "default")
    return line


def _text_from(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        fail("Give the text with --text, or a file with --file (one of them).", code=2)
    if text is not None:
        return text
    assert file is not None
    return file_text(file, cap=DRAFT_FILE)


def _decisions_text(line: DraftLine) -> Text:
    """The decisions on the current version, one per line: ✓ or ✗, who, as which role."""
    cell = Text()
    for approval in line.decisions:
        mark, style = MARKS[approval.decision]
        cell.append(f"{mark} ", style=style)
        cell.append(f"{approval.person.name} ({approval.role})\n")
    cell.rstrip()
    return cell or Text("—")


def _needs(line: DraftLine | DraftView) -> Text:
    if line.draft.status in (DraftStatus.PUBLISHED, DraftStatus.WITHDRAWN):
        return Text("—")
    return Text(line.state.explanation, style="green" if line.state.approved else "yellow")


def _print_draft(view: DraftView, zone: ZoneInfo) -> None:
    row = view.draft
    title = f"{row.label} · {row.kind.value} · version {row.version} · {row.status.value}"
    console.print(Panel(Text(row.text), title=Text(title), subtitle=Text(f"by {view.author}"), expand=False))
    console.print(_needs(view))
    table = Table(title="Decisions")
    for column in ("Version", "Who", "Role", "Decision", "When", "Comment"):
        table.add_column(column)
    for approval in view.history:
        _decision_row(table, approval, zone)
    console.print(table)


def _decision_row(table: Table, approval: Approval, zone: ZoneInfo) -> None:
    mark, style = MARKS[approval.decision]
    void = " (voided: the text changed)" if approval.voided_at else ""
    table.add_row(
        str(approval.version),
        Text(approval.person.name),
        approval.role,
        Text(f"{mark} {approval.decision.value}{void}", style="dim" if void else style),
        local(approval.decided_at, zone),
        Text(approval.comment or ""),
    )
