"""Resolution: the incident resolves when the playbook's exit criteria hold, and says what was gained.

Exit on top means leaving the organisation better off, so resolving asks a person to say what it gained
(`benefit`). Until then, each criterion that does not hold is listed in words the cell can act on.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.exit_on_top.branches import ExitBranch, ExitError, live_commitments, require_member
from flows.exit_on_top.statements import statement_languages
from flows.kit.loading import require_kit
from flows.kit.schema import Kit
from models import (
    AvenueStatus,
    Draft,
    DraftStatus,
    Incident,
    IncidentStatus,
    LegalAction,
    Person,
    PlatformReport,
    PublicReply,
    ReviewCase,
    change_status,
    reach_milestone,
    record_event,
)
from notifications.render import clean_text, resolve_locale

MAX_BENEFIT_CHARS = 2000
AVENUES = ((PlatformReport, "platform report"), (LegalAction, "legal avenue"), (PublicReply, "public reply"))


class ResolutionRefused(ExitError):
    """The exit criteria do not hold: `missing` lists what is still to do, one sentence each."""

    def __init__(self, ref: str, missing: list[str], *, branch_chosen: bool = True) -> None:
        self.missing = tuple(missing)
        super().__init__(
            f"{ref} cannot be resolved yet:\n" + "\n".join(f"- {m}" for m in self.missing),
            kind="not_resolvable" if branch_chosen else "no_branch_yet",
            ref=ref,
        )


def what_is_missing(session: Session, *, incident: Incident, kit: Kit) -> list[str]:
    """Every exit criterion of the incident's playbook that does not hold yet (empty: it may resolve)."""
    playbook = kit.playbook_for(incident.attack_type)
    criteria = playbook.exit.criteria
    missing = []
    branch = ExitBranch(incident.exit_branch) if incident.exit_branch else None
    if branch is None:
        missing.append("no exit branch is chosen")
    if criteria.avenues_concluded:
        missing += _avenues_still_open(session, incident=incident)
    if criteria.statements_published and branch is not None:
        published = {
            resolve_locale(d.locale)
            for d in session.scalars(
                select(Draft).where(
                    Draft.incident_id == incident.id,
                    Draft.kind == branch.follow_up,
                    Draft.status == DraftStatus.PUBLISHED,
                )
            )
        }
        for locale in statement_languages(kit, playbook):
            if locale not in published:
                missing.append(f"the {branch.follow_up.value} of the branch is not published in {locale}")
    needed = criteria.commitments_if_not_handled
    if branch is ExitBranch.NOT_HANDLED and len(live_commitments(session, incident_id=incident.id)) < needed:
        missing.append(f"the not-handled branch needs at least {needed} public commitment(s) standing")
    return missing


def _avenues_still_open(session: Session, *, incident: Incident) -> list[str]:
    """Each avenue of each review case must be concluded, or abandoned with a reason."""
    missing = []
    cases = session.scalars(
        select(ReviewCase).where(ReviewCase.incident_id == incident.id).order_by(ReviewCase.id)
    ).all()
    for number, case in enumerate(cases, start=1):  # R1, R2…: cases in the order they were opened
        review = f"R{number} ({case.platform} review {case.review_id})"
        for model, avenue in AVENUES:
            row = session.scalars(select(model).where(model.case_id == case.id)).one_or_none()
            status = row.status if row is not None else AvenueStatus.NOT_STARTED
            if status not in AvenueStatus.concluded_statuses():
                state = status.value.replace("_", " ")
                missing.append(
                    f"{review}: the {avenue} is {state} (conclude it, or abandon it with a reason)"
                )
            elif status == AvenueStatus.ABANDONED and not (row and (row.abandoned_reason or "").strip()):
                missing.append(f"{review}: the {avenue} was abandoned without saying why")
    return missing


def resolve_incident(
    session: Session, *, incident: Incident, person: Person, benefit: str, at: datetime
) -> None:
    """Resolve the incident with what the organisation gained; else `ResolutionRefused`, nothing changed."""
    session.refresh(incident, with_for_update=True)
    if incident.status not in IncidentStatus.open_statuses():
        raise ExitError(f"{incident.ref} is {incident.status}: there is nothing left to resolve.")
    require_member(session, incident=incident, person=person)
    benefit = clean_text(benefit).strip()
    missing = what_is_missing(session, incident=incident, kit=require_kit(session))
    if not benefit:
        missing.append('what the organisation gained is not said (--benefit "…")')
    elif len(benefit) > MAX_BENEFIT_CHARS:
        missing.append(f"what the organisation gained is too long (at most {MAX_BENEFIT_CHARS:,} characters)")
    if missing:
        raise ResolutionRefused(incident.ref, missing, branch_chosen=incident.exit_branch is not None)
    incident.benefit = benefit
    record_event(
        session,
        incident=incident,
        at=at,
        kind="benefit",
        actor=person.key,
        summary=f"{person.name}: what we gained — {benefit}",
        new={"benefit": benefit},
    )
    change_status(session, incident=incident, to=IncidentStatus.RESOLVED, at=at, actor=person.key)
    reach_milestone(session, incident=incident, milestone="resolved_at", at=at, actor=person.key)
