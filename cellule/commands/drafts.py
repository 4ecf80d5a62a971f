"""`cellule draft`, `drafts`, `approve`, `reject`, `edit`: public text leaves only with the cell's agreement.

Each action is one transaction: a refused action says why (exit code 2) and changes nothing. After an
action the messages it queued (approval requests, decisions) are sent at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from cellule.commands.common import console, fail, open_runtime, reader_zone
from cellule.commands.incidents import ZoneOption, local
from flows.kit.loading import NoKit, require_kit
from flows.quorum import (
    QuorumError,
    QuorumState,
    approval_policy,
    approve_draft,
    edit_draft,
    eligible_approvers,
    propose_draft,
    quorum_state,
    reject_draft,
)
from flows.runtime import Runtime
from models import Approval, Decision, Draft, DraftKind, DraftStatus, Incident, Person, transaction
from notifications import dispatch_due

MAX_FILE_BYTES = 1_000_000  # far above the 5,000 characters a draft may hold: the service says the limit

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
        incident, author = _incident(session, ref), _person(session, as_)
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
    try:
        with transaction(open_runtime().sessions) as session:
            incident = _incident(session, ref)
            policy = approval_policy(session, incident=incident)
            if label is not None:
                one = _draft(session, incident, label)
                _print_draft(session, one, quorum_state(session, draft=one, policy=policy), zone)
                return
            rows = session.scalars(
                select(Draft).where(Draft.incident_id == incident.id).order_by(Draft.number)
            ).all()
            table = Table(title=f"Drafts of {incident.ref}")
            for column in ("Draft", "Kind", "Version", "Status", "Decisions", "Still needed", "Text"):
                table.add_column(column)
            for row in rows:
                state = quorum_state(session, draft=row, policy=policy)
                table.add_row(
                    row.label,
                    row.kind.value,
                    str(row.version),
                    row.status.value,
                    _decisions_text(session, row),
                    _needs(row, state),
                    Text(row.text if len(row.text) <= 60 else row.text[:59] + "…"),
                )
    except NoKit as exc:
        _refuse(exc)
    if not rows:
        console.print(f"No draft for {incident.ref} yet. `cellule draft {incident.ref} --as …` proposes one.")
        return
    console.print(table)


def approve(ref: RefArgument, label: LabelArgument, as_: AsOption, version: VersionOption = None) -> None:
    """Approve a draft: when enough of the cell agree, it is approved for publication."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = _incident(session, ref), _person(session, as_)
        target = _draft(session, incident, label)
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
        incident, person = _incident(session, ref), _person(session, as_)
        target = _draft(session, incident, label)
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
        incident, editor = _incident(session, ref), _person(session, as_)
        target = edit_draft(
            session,
            draft=_draft(session, incident, label),
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
    try:
        with transaction(runtime.sessions) as session:
            incident, outcome = act(session, runtime)
    except (QuorumError, NoKit) as exc:
        _refuse(exc)
    console.print(outcome)
    with console.status("Sending the messages…"):
        dispatch_due(runtime.sessions, channels=runtime.channels, now=runtime.now(), incident_id=incident.id)


def _refuse(exc: Exception) -> NoReturn:
    fail(escape(str(exc)) + "\nNothing was changed.", code=2)


def _with_state(line: Text, state: QuorumState) -> Text:
    line.append("\n" + state.explanation, style="bold" if state.approved else "default")
    return line


def _text_from(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        fail("Give the text with --text, or a file with --file (one of them).", code=2)
    if text is not None:
        return text
    assert file is not None
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        fail(escape(f"Cannot read {file}: {exc.strerror or exc}."), code=2)
    if len(raw) > MAX_FILE_BYTES:
        fail(escape(f"{file} is over 1 MB: a draft holds at most 5,000 characters."), code=2)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(escape(f"{file} is not UTF-8 text: save it as UTF-8 in your editor."), code=2)


def _incident(session: Session, ref: str) -> Incident:
    found = session.scalars(select(Incident).where(func.upper(Incident.ref) == ref.strip().upper())).first()
    if found is None:
        fail(escape(f"No incident {ref!r}."), code=2, hint="`cellule incidents --all` lists them.")
    return found


def _person(session: Session, key: str) -> Person:
    found = session.scalars(select(Person).where(Person.key == key.strip().lower())).first()
    if found is None:
        fail(
            escape(f"Nobody has the key {key!r} in the crisis kit."),
            code=2,
            hint="`cellule kit show` lists them.",
        )
    return found


def _draft(session: Session, incident: Incident, label: str) -> Draft:
    match = re.fullmatch(r"[dD]?(\d{1,6})", label.strip())
    found = None
    if match:
        found = session.scalars(
            select(Draft).where(Draft.incident_id == incident.id, Draft.number == int(match.group(1)))
        ).first()
    if found is None:
        fail(
            escape(f"{incident.ref} has no draft {label!r}."), code=2, hint=f"`cellule drafts {incident.ref}`"
        )
    return found


def _decisions_text(session: Session, row: Draft) -> Text:
    """The decisions on the current version, one per line: ✓ or ✗, who, as which role."""
    cell = Text()
    for approval in _history(session, row, current_only=True):
        mark, style = MARKS[approval.decision]
        cell.append(f"{mark} ", style=style)
        cell.append(f"{approval.person.name} ({approval.role})\n")
    cell.rstrip()
    return cell or Text("—")


def _needs(row: Draft, state: QuorumState) -> Text:
    if row.status in (DraftStatus.PUBLISHED, DraftStatus.WITHDRAWN):
        return Text("—")
    return Text(state.explanation, style="green" if state.approved else "yellow")


def _history(session: Session, row: Draft, *, current_only: bool = False) -> list[Approval]:
    """Every decision on the draft (or on its current version only), oldest first."""
    query = (
        select(Approval)
        .options(joinedload(Approval.person))
        .where(Approval.draft_id == row.id)
        .order_by(Approval.decided_at, Approval.id)
    )
    if current_only:
        query = query.where(Approval.version == row.version, Approval.voided_at.is_(None))
    return list(session.scalars(query))


def _print_draft(session: Session, row: Draft, state: QuorumState, zone: ZoneInfo) -> None:
    author = session.get_one(Person, row.author_id)
    title = f"{row.label} · {row.kind.value} · version {row.version} · {row.status.value}"
    console.print(Panel(Text(row.text), title=Text(title), subtitle=Text(f"by {author.name}"), expand=False))
    console.print(_needs(row, state))
    table = Table(title="Decisions")
    for column in ("Version", "Who", "Role", "Decision", "When", "Comment"):
        table.add_column(column)
    for approval in _history(session, row):
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
    console.print(table)
