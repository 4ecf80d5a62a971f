"""`cellule exit`, `publish`, `commit`, `kept`, `drop`, `commitments`, `resolve`: exiting on top.

Each action is one transaction: a refused action says why (exit code 2) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session

from cellule.commands.common import console, fail, open_runtime, reader_zone
from cellule.commands.exit_view import commitment_row, local
from cellule.commands.incidents import ZoneOption
from cellule.commands.postmortem import stored_report_path
from cellule.engine import run_protocol
from flows.exit_on_top.branches import ExitBranch, ExitError, choose_branch
from flows.exit_on_top.commitments import (
    commitments_of,
    drop_commitment,
    find_commitment,
    keep_commitment,
    parse_due,
    record_commitment,
    remind_commitments,
)
from flows.exit_on_top.resolution import resolve_incident
from flows.exit_on_top.statements import format_day, publish_statement
from flows.kit.loading import NoKit, require_kit
from flows.runtime import Runtime, use_runtime
from models import (
    Commitment,
    CommitmentStatus,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    Person,
    incident_by_ref,
    transaction,
)
from notifications import dispatch_due

RefArgument = Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")]
AsOption = Annotated[
    str, typer.Option("--as", help="Who you are: your key in the kit, e.g. sophie.marchand.")
]
MAX_FILE_BYTES = 1_000_000


def exit_(
    ref: RefArgument,
    branch: Annotated[ExitBranch, typer.Option(help="Was the subject already handled internally, or not?")],
    as_: AsOption,
) -> None:
    """Choose how the incident exits on top; its follow-up statement is drafted for the quorum."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = _incident(session, ref), _person(session, as_)
        changed = choose_branch(session, incident=incident, person=person, branch=branch, at=runtime.now())
        words = branch.value.replace("_", " ")
        if not changed:
            return incident, Text(f"{incident.ref} already exits by the branch “{words}”.")
        return incident, Text(
            f"✓ {person.name} chose the branch “{words}” for {incident.ref}.", style="green"
        )

    incident_id, ref_ = _act(act)
    run_protocol(open_runtime(), incident_id)  # the exit phase drafts the branch's statement at once
    _print_follow_ups(incident_id, ref_, branch)


def _print_follow_ups(incident_id: int, ref: str, branch: ExitBranch) -> None:
    with transaction(open_runtime().sessions) as session:
        drafts = session.scalars(
            select(Draft)
            .where(Draft.incident_id == incident_id, Draft.kind == branch.follow_up)
            .where(Draft.status != DraftStatus.WITHDRAWN)
            .order_by(Draft.number)
        ).all()
        lines = [f"{d.label} ({d.kind.value}, {d.locale}): {d.status.value}" for d in drafts]
    if lines:
        console.print("Follow-up statement: " + "; ".join(lines))
        console.print(
            f"Read it with `cellule drafts {ref} {drafts[0].label}`; parts between [[ ]] are yours."
        )


def publish(
    ref: RefArgument,
    label: Annotated[str, typer.Argument(help="The approved statement, e.g. D1.")],
    as_: AsOption,
    where: Annotated[str, typer.Option(help="Where you posted it, e.g. Google, Instagram, the website.")],
    url: Annotated[str | None, typer.Option(help="The address of the post.")] = None,
    at: Annotated[
        str | None, typer.Option(help="When you posted it, e.g. 2026-11-26T10:15 (default: now).")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="The text as you posted it: checked against the approved one."),
    ] = None,
    tz: ZoneOption = None,
) -> None:
    """Record that you posted an approved statement (there is no posting API: you post, Cellule records)."""
    zone = reader_zone(tz)
    posted = _read(file) if file is not None else None

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = _incident(session, ref), _person(session, as_)
        now = runtime.now()
        when = _moment(at, zone, now) if at else now
        draft = _draft(session, incident, label)
        done = publish_statement(
            session, draft=draft, person=person, where=where, url=url, at=when, posted_text=posted
        )
        if done.simulated:
            line = Text("EXERCICE / DRILL ", style="bold black on yellow")
            line.append(f" {done.label} marked as published ({done.where}): simulated, nothing was posted.")
        else:
            line = Text(f"✓ {done.label} published on ", style="green")
            line.append(Text(done.where))
            line.append(f" at {local(done.at, zone)}" + (f": {done.url}" if done.url else "") + ".")
        if incident.first_statement_at == done.at and draft.kind == DraftKind.HOLDING_STATEMENT:
            line.append(f"\nFirst public statement of {incident.ref}.")
        return incident, line

    _act(act)


def commit(
    ref: RefArgument,
    text: Annotated[str, typer.Option(help="The promise, as the public will read it.")],
    owner: Annotated[str, typer.Option(help="Who keeps it: their key in the kit.")],
    as_: AsOption,
    due: Annotated[
        str | None, typer.Option(help="2026-12-31, or 30d / 6w from now (default: the playbook's).")
    ] = None,
) -> None:
    """Record a public commitment: a promise made to exit on top, tracked until kept."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, by, keeper = _incident(session, ref), _person(session, as_), _person(session, owner)
        now = runtime.now()
        policy = require_kit(session).playbook_for(incident.attack_type).exit
        due_at = parse_due(due, now=now, zone=keeper.timezone) if due else now + policy.commitment_due
        made = record_commitment(
            session, incident=incident, by=by, owner=keeper, text=text, due_at=due_at, at=now
        )
        label = f"C{len(commitments_of(session, incident_id=incident.id))}"
        line = Text(f"✓ {label} recorded for {incident.ref}: ", style="green")
        line.append(Text(made.text))
        line.append(f"\nOwned by {keeper.name}, due {format_day(due_at, keeper.locale, keeper.timezone)}.")
        return incident, line

    _act(act)


def kept(
    ref: RefArgument,
    label: Annotated[str, typer.Argument(help="The commitment, e.g. C1.")],
    proof: Annotated[str, typer.Option(help="Where anyone can see it was kept: https://…")],
    as_: AsOption,
) -> None:
    """Mark a commitment kept, with its proof."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = _incident(session, ref), _person(session, as_)
        commitment = find_commitment(session, incident=incident, label=label)
        keep_commitment(session, commitment=commitment, by=person, proof_url=proof, at=runtime.now())
        return incident, Text(
            f"✓ {label.upper()} of {incident.ref} kept: {commitment.proof_url}", style="green"
        )

    _act(act)


def drop(
    ref: RefArgument,
    label: Annotated[str, typer.Argument(help="The commitment, e.g. C1.")],
    reason: Annotated[str, typer.Option(help="Why the promise is withdrawn: it is said, never forgotten.")],
    as_: AsOption,
) -> None:
    """Withdraw a commitment, saying why."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = _incident(session, ref), _person(session, as_)
        commitment = find_commitment(session, incident=incident, label=label)
        drop_commitment(session, commitment=commitment, by=person, reason=reason, at=runtime.now())
        return incident, Text(f"{label.upper()} of {incident.ref} dropped.")

    _act(act)


def commitments(
    ref: Annotated[str | None, typer.Argument(help="One incident (default: every open commitment).")] = None,
    remind: Annotated[
        bool, typer.Option("--remind", help="First remind the owners of commitments due soon or late.")
    ] = False,
    tz: ZoneOption = None,
) -> None:
    """List public commitments: what was promised, who keeps it, by when, and whether it was kept."""
    zone, runtime = reader_zone(tz), open_runtime()
    if remind:
        from cellule.prefect_env import quiet_flow_runs

        with use_runtime(runtime), quiet_flow_runs():
            sent = remind_commitments()
        console.print(f"{sent} owner(s) reminded.")
    with transaction(runtime.sessions) as session:
        query = (
            select(Commitment, Incident, Person)
            .join(Incident, Incident.id == Commitment.incident_id)
            .join(Person, Person.id == Commitment.owner_id)
            .order_by(Commitment.incident_id, Commitment.id)
        )
        if ref is not None:
            query = query.where(Incident.id == _incident(session, ref).id)
        rows = session.execute(query).all()
    table = Table(title="Open commitments" if ref is None else f"Commitments of {ref.strip().upper()}")
    for column in ("Incident", "", "Commitment", "Owner", "Due", "Status", "Proof or reason"):
        table.add_column(column)
    numbers: dict[int, int] = {}
    for commitment, incident, owner in rows:
        # Labels count every commitment of the incident, shown or not: C2 stays C2 once C1 is kept.
        numbers[incident.id] = numbers.get(incident.id, 0) + 1
        if ref is None and commitment.status != CommitmentStatus.OPEN:
            continue
        row = commitment_row(commitment, owner, numbers[incident.id], runtime.now(), zone)
        table.add_row(incident.ref + (" (drill)" if incident.is_drill else ""), *row)
    if not table.row_count:
        console.print("No commitment." if ref else "No open commitment.")
        return
    console.print(table)


def resolve(
    ref: RefArgument,
    benefit: Annotated[str, typer.Option(help="What the organisation gained from this crisis.")],
    as_: AsOption,
) -> None:
    """Resolve the incident once its exit criteria hold, saying what was gained; its post-mortem follows."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = _incident(session, ref), _person(session, as_)
        resolve_incident(session, incident=incident, person=person, benefit=benefit, at=runtime.now())
        line = Text(f"✓ {incident.ref} is resolved. What we gained: ", style="green")
        line.append(Text(incident.benefit or ""))
        return incident, line

    incident_id, ref_ = _act(act)
    runtime = open_runtime()
    # The protocol's run after resolution is what stores the post-mortem and tells the cell: one code
    # path with server mode and drills, and `cellule tick` retries it should this process die first.
    with console.status("Writing the post-mortem (Prefect)…"):
        run_protocol(runtime, incident_id)
    path = stored_report_path(runtime, incident_id)
    if path:
        console.print(Text(f"Post-mortem of {ref_}: {path}"))
    else:
        console.print(f"Read the post-mortem: `cellule postmortem {ref_} --format html -o postmortem.html`.")


def _act(act: Callable[[Session, Runtime], tuple[Incident, Text]]) -> tuple[int, str]:
    """One transaction for the action; refused → nothing stored, exit 2; done → send what it queued."""
    runtime = open_runtime()
    try:
        with transaction(runtime.sessions) as session:
            incident, outcome = act(session, runtime)
            incident_id, ref = incident.id, incident.ref
    except (ExitError, NoKit) as exc:
        _refuse(exc)
    console.print(outcome)
    dispatch_due(runtime.sessions, channels=runtime.channels, now=runtime.now(), incident_id=incident_id)
    return incident_id, ref


def _refuse(exc: Exception) -> NoReturn:
    fail(escape(str(exc)) + "\nNothing was changed.", code=2)


def _incident(session: Session, ref: str) -> Incident:
    found = incident_by_ref(session, ref)
    if found is None:
        fail(escape(f"No incident {ref!r}."), code=2, hint="`cellule incidents --all` lists them.")
    return found


def _person(session: Session, key: str) -> Person:
    found = session.scalars(select(Person).where(Person.key == key.strip().lower())).first()
    if found is None:
        fail(escape(f"Nobody has the key {key!r} in the crisis kit."), code=2, hint="`cellule kit show`")
    return found


def _draft(session: Session, incident: Incident, label: str) -> Draft:
    number = label.strip().upper().removeprefix("D")
    found = None
    if number.isdigit():
        found = session.scalars(
            select(Draft).where(Draft.incident_id == incident.id, Draft.number == int(number))
        ).first()
    if found is None:
        fail(
            escape(f"{incident.ref} has no draft {label!r}."), code=2, hint=f"`cellule drafts {incident.ref}`"
        )
    return found


def _moment(value: str, zone: ZoneInfo, now: datetime) -> datetime:
    """A time as the reader writes it, in their zone unless it says its own; never in the future."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(escape(f"{value!r} is not a time: write it 2026-11-26T10:15."), code=2)
    moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
    if moment > now:
        fail(escape(f"{value} is in the future: record a post once it is posted."), code=2)
    return moment.astimezone(now.tzinfo)


def _read(file: Path) -> str:
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        fail(escape(f"Cannot read {file}: {exc.strerror or exc}."), code=2)
    if len(raw) > MAX_FILE_BYTES:
        fail(escape(f"{file} is over 1 MB: a statement holds at most 5,000 characters."), code=2)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail(escape(f"{file} is not UTF-8 text: save it as UTF-8 in your editor."), code=2)
