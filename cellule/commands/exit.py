"""`cellule exit`, `publish`, `commit`, `kept`, `drop`, `commitments`, `resolve`: exiting on top.

Each action is one transaction: a refused action says why (exit code 2) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from cellule.commands.common import console, follow_up, open_runtime, reader_zone
from cellule.commands.exit_view import commitment_row, local
from cellule.commands.incidents import ZoneOption
from flows.exit_on_top.branches import ExitBranch, choose_branch
from flows.exit_on_top.commitment_reminders import remind_commitments
from flows.exit_on_top.commitments import (
    commitments_of,
    drop_commitment,
    due_date,
    find_commitment,
    keep_commitment,
    record_commitment,
)
from flows.exit_on_top.resolution import resolve_incident
from flows.exit_on_top.statements import format_day, publish_statement
from flows.exit_on_top.views import read_commitments
from flows.lookups import (
    STATEMENT_FILE,
    draft_by_label,
    file_text,
    incident_by_reference,
    person_by_key,
    typed_moment,
)
from flows.postmortem.views import stored_report_path
from flows.quorum.views import drafts_of
from flows.runtime import Runtime, use_runtime
from models import DraftKind, Incident, transaction

RefArgument = Annotated[str, typer.Argument(help="The incident reference, e.g. CRI-2026-0001.")]
AsOption = Annotated[
    str, typer.Option("--as", help="Who you are: your key in the kit, e.g. sophie.marchand.")
]


def exit_(
    ref: RefArgument,
    branch: Annotated[ExitBranch, typer.Option(help="Was the subject already handled internally, or not?")],
    as_: AsOption,
) -> None:
    """Choose how the incident exits on top; its follow-up statement is drafted for the quorum."""

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
        changed = choose_branch(session, incident=incident, person=person, branch=branch, at=runtime.now())
        words = branch.value.replace("_", " ")
        if not changed:
            return incident, Text(f"{incident.ref} already exits by the branch “{words}”.")
        return incident, Text(
            f"✓ {person.name} chose the branch “{words}” for {incident.ref}.", style="green"
        )

    incident_id, ref_ = _act(act)
    # The exit phase drafts the branch's statement at once.
    follow_up(open_runtime(), [incident_id], doing="Drafting the follow-up statement…")
    _print_follow_ups(incident_id, ref_, branch)


def _print_follow_ups(incident_id: int, ref: str, branch: ExitBranch) -> None:
    with transaction(open_runtime().sessions) as session:
        drafts = drafts_of(session, incident_id=incident_id, kind=branch.follow_up, live_only=True)
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
    posted = file_text(file, cap=STATEMENT_FILE) if file is not None else None

    def act(session: Session, runtime: Runtime) -> tuple[Incident, Text]:
        incident, person = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
        now = runtime.now()
        when = typed_moment(at, zone=zone, now=now, past_only=True) if at else now
        draft = draft_by_label(session, incident=incident, label=label)
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
        incident, by, keeper = (
            incident_by_reference(session, ref=ref),
            person_by_key(session, key=as_),
            person_by_key(session, key=owner),
        )
        now = runtime.now()
        due_at = due_date(session, incident=incident, owner=keeper, due=due, now=now)
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
        incident, person = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
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
        incident, person = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
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
        lines = read_commitments(session, ref=ref)
    table = Table(title="Open commitments" if ref is None else f"Commitments of {ref.strip().upper()}")
    for column in ("Incident", "", "Commitment", "Owner", "Due", "Status", "Proof or reason"):
        table.add_column(column)
    for line in lines:
        row = commitment_row(line.commitment, line.owner, int(line.label[1:]), runtime.now(), zone)
        table.add_row(line.incident_ref + (" (drill)" if line.is_drill else ""), *row)
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
        incident, person = incident_by_reference(session, ref=ref), person_by_key(session, key=as_)
        resolve_incident(session, incident=incident, person=person, benefit=benefit, at=runtime.now())
        line = Text(f"✓ {incident.ref} is resolved. What we gained: ", style="green")
        line.append(Text(incident.benefit or ""))
        return incident, line

    incident_id, ref_ = _act(act)
    runtime = open_runtime()
    # The protocol's run after resolution is what stores the post-mortem and tells the cell: one code
    # path with server mode and drills, and `cellule tick` retries it should this process die first.
    follow_up(runtime, [incident_id], doing="Writing the post-mortem…")
    with transaction(runtime.sessions) as session:
        path = stored_report_path(session, incident_id=incident_id)
    if path:
        console.print(Text(f"Post-mortem of {ref_}: {path}"))
    else:
        console.print(f"Read the post-mortem: `cellule postmortem {ref_} --format html -o postmortem.html`.")


def _act(act: Callable[[Session, Runtime], tuple[Incident, Text]]) -> tuple[int, str]:
    """One transaction for the action; refused → nothing stored, exit 2; done → send what it queued."""
    runtime = open_runtime()
    with transaction(runtime.sessions) as session:
        incident, outcome = act(session, runtime)
        incident_id, ref = incident.id, incident.ref
    console.print(outcome)
    follow_up(runtime, [incident_id], doing="Sending the messages…", protocol=False)
    return incident_id, ref
