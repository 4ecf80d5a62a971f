"""Exit on top (sortir par le haut): leave the organisation better off than the attack found it.

Once the cell is assembled, a holding statement goes up for approval: the public hears from us while the
facts are checked. A person of the cell then chooses the branch: *already handled* — show it; *not
handled* — apologise, commit, thank. The branch's statement is drafted in turn, and goes through the
quorum like every public word. Publishing, commitments and resolution are people's acts (`statements`,
`commitments`, `resolution` beside this module); this phase drafts what is due, chases what waits, and
never does a step twice: the store says what is done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from prefect import flow, task
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.exit_on_top.branches import ExitBranch, branch_chooser
from flows.exit_on_top.library import offer_library_statements
from flows.exit_on_top.statements import languages_to_draft, propose_statement
from flows.kit.loading import require_kit
from flows.outbox import send_notifications
from flows.quorum import approval_policy, eligible_approvers
from flows.quorum.reminders import remind_waiting_drafts
from flows.reviews.reminders import remind_overdue_platform_decisions
from flows.runtime import current_runtime
from models import (
    DraftKind,
    Incident,
    IncidentStatus,
    Participant,
    ParticipantStatus,
    Person,
    TimelineEvent,
    record_event_once,
    transaction,
)

Chase = Callable[..., datetime | None]  # a reminder service: (session, incident, playbook, available, now)

WAITING_FOR_THE_CELL = "exit on top waits for the crisis cell to be assembled"


@dataclass(frozen=True)
class ExitStage:
    """Where the phase stands, as the store says."""

    open: bool
    assembled: bool
    branch: ExitBranch | None


@task(name="where-the-exit-stands")
def where_the_exit_stands(incident_id: int) -> ExitStage:
    """Read whether the incident is open, its cell assembled, and its branch chosen."""
    with transaction(current_runtime().sessions) as session:
        incident = session.get_one(Incident, incident_id)
        return ExitStage(
            open=incident.status in IncidentStatus.open_statuses(),
            assembled=incident.cell_assembled_at is not None,
            branch=ExitBranch(incident.exit_branch) if incident.exit_branch else None,
        )


@task(name="wait-for-the-cell")
def wait_for_the_cell(incident_id: int) -> None:
    """Nobody speaks for the organisation before the cell is assembled: say so once on the timeline."""
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        incident = session.get_one(Incident, incident_id)
        record_event_once(
            session, incident=incident, at=runtime.now(), kind="exit_on_top", summary=WAITING_FOR_THE_CELL
        )


@task(name="hold-the-line")
def hold_the_line(incident_id: int) -> int:
    """Propose the holding statement for the incident's lead, unless it exists; how many drafts."""
    return _draft_statement(incident_id, follow_up=False)


@task(name="follow-the-branch")
def follow_the_branch(incident_id: int) -> int:
    """Propose the chosen branch's statement for whoever chose it, unless it exists; how many drafts."""
    return _draft_statement(incident_id, follow_up=True)


def _draft_statement(incident_id: int, *, follow_up: bool) -> int:
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        # The incident row is the lock: two runs at once must not both find "no draft yet".
        incident = session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()
        kit = require_kit(session)
        playbook = kit.playbook_for(incident.attack_type)
        if follow_up and incident.exit_branch:
            branch = ExitBranch(incident.exit_branch)
            kind, template = branch.follow_up, getattr(playbook.exit.templates, branch.value)
            chooser = branch_chooser(session, incident=incident)
            author = _author(session, incident, chooser.id if chooser else None, incident.lead_id)
        else:
            kind, template = DraftKind.HOLDING_STATEMENT, playbook.exit.templates.holding
            author = _author(session, incident, incident.lead_id)
            # Words approved in peacetime come first: no quorum to wait for (see library.py).
            lead = session.get(Person, incident.lead_id) if incident.lead_id else author
            if lead is not None:
                offer_library_statements(
                    session,
                    incident=incident,
                    kit=kit,
                    playbook=playbook,
                    lead=lead,
                    at=runtime.now(),
                    available=runtime.available_channels,
                )
        if not languages_to_draft(session, incident=incident, kind=kind, kit=kit, playbook=playbook):
            return 0
        if author is None:
            policy = playbook.approval
            record_event_once(
                session,
                incident=incident,
                at=runtime.now(),
                kind="exit_on_top",
                summary=f"the {kind.value.replace('_', ' ')} waits: the cell cannot approve it yet "
                f"({policy.approvers} approvals needed from {', '.join(policy.from_roles)})",
            )
            return 0
        drafts = propose_statement(
            session,
            incident=incident,
            kind=kind,
            template=template,
            author=author,
            kit=kit,
            playbook=playbook,
            at=runtime.now(),
            available=runtime.available_channels,
        )
        return len(drafts)


def _author(session: Session, incident: Incident, *preferred: int | None) -> Person | None:
    """Who the statement is proposed for: the first of `preferred` still in the cell, else the members in
    the order they acknowledged — skipping anyone whose approval the quorum cannot do without; None when
    no choice leaves enough approvers.

    Nobody approves their own text, so the lead (often the comms lead, an approving role) holding the
    pen could leave too few approvers; then another member, typically the community manager, holds it.
    """
    members = session.execute(
        select(Person, Participant.acknowledged_at)
        .join(Participant, Participant.person_id == Person.id)
        .where(
            Participant.incident_id == incident.id,
            Participant.status.not_in(ParticipantStatus.gave_up_statuses()),
            Person.active.is_(True),
        )
        .order_by(Participant.id)
    ).all()
    by_id = {person.id: person for person, _ in members}
    acknowledged = [pid for _, pid in sorted((at, p.id) for p, at in members if at is not None)]
    candidates = [by_id[pid] for pid in dict.fromkeys([*preferred, *acknowledged]) if pid in by_id]
    policy = approval_policy(session, incident=incident)
    for person in candidates:
        approvers = eligible_approvers(session, incident=incident, policy=policy, exclude=[person.id])
        heard = len({role for _, role in approvers}) if policy.distinct_roles else len(approvers)
        if heard >= policy.approvers:
            return person
    return (
        None  # a text nobody could approve would only wait: the cell may grow (a backup, a higher severity)
    )


@task(name="chase-waiting-drafts")
def chase_waiting_drafts(incident_id: int) -> datetime | None:
    """Remind approvers of drafts waiting past the playbook's target; when the next reminder falls due."""
    return _chase(incident_id, remind_waiting_drafts)


@task(name="chase-platform-decisions")
def chase_platform_decisions(incident_id: int) -> datetime | None:
    """Remind the cell of platforms' overdue decisions on reported reviews; when the next one falls due."""
    return _chase(incident_id, remind_overdue_platform_decisions)


def chase_what_waits(incident_id: int) -> datetime | None:
    """Drafts waiting for approval and platforms' late decisions, each chased once; the next reminder due.

    Chased even while the cell gathers: what was put up before it is assembled must not be forgotten.
    """
    due = [chase_waiting_drafts(incident_id), chase_platform_decisions(incident_id)]
    return min((when for when in due if when is not None), default=None)


def _chase(incident_id: int, remind: Chase) -> datetime | None:
    runtime = current_runtime()
    with transaction(runtime.sessions) as session:
        incident = session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one()
        playbook = require_kit(session).playbook_for(incident.attack_type)
        return remind(
            session,
            incident=incident,
            playbook=playbook,
            available=runtime.available_channels,
            now=runtime.now(),
        )


def _timeline_length(incident_id: int) -> int:
    """Every act of the cell (a decision, a publication, a branch, a commitment) is a timeline event."""
    with transaction(current_runtime().sessions) as session:
        count = select(func.count()).where(TimelineEvent.incident_id == incident_id)
        return session.scalar(count) or 0


@flow(name="exit-on-top")
def exit_on_top(incident_id: int) -> None:
    """Hold the line in public, then follow the branch the cell chose; chase what waits, and stop when
    nothing more falls due (a later run, or a person's act, takes it from there)."""
    runtime = current_runtime()
    while True:
        stage = where_the_exit_stands(incident_id)
        if not stage.open:
            return
        if stage.assembled:
            hold_the_line(incident_id)
            if stage.branch is not None:
                follow_the_branch(incident_id)
        else:
            wait_for_the_cell(incident_id)
        deadline = chase_what_waits(incident_id)
        send_notifications(incident_id)
        if not stage.assembled or deadline is None or runtime.waiter is None:
            return
        seen = _timeline_length(incident_id)
        runtime.waiter.wait_until(lambda seen=seen: _timeline_length(incident_id) != seen, deadline)
