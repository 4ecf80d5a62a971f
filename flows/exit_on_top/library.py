"""The statement library in a crisis: the words approved in peacetime, offered first and published fast.

When the incident's attack type and severity match an entry whose text the quorum approved (and whose
approvals have not lapsed), exit on top proposes it before any template: rendered with the declared
variables only, approved already, cited on the timeline with the template's hash and the approvals it
rests on. Its publisher — the incident's lead, or the role the entry names — is told it is ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.exit_on_top.library_store import LibraryError, Standing, standing
from flows.exit_on_top.library_use import LIBRARY_EVENT
from flows.exit_on_top.statements import format_day, languages_to_draft
from flows.kit.library_schema import StatementEntry, StatementKind, VariableSource, is_variable_value
from flows.kit.schema import Kit, Playbook
from flows.quorum.rules import clean_draft_text, text_sha256
from models import (
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    Participant,
    ParticipantStatus,
    Person,
    Target,
    reach_milestone,
    record_event,
)
from notifications import message_person
from notifications.render import DRILL_PREFIX, clean_text, truncate

TEMPLATE = "library_statement"
_ENVIRONMENT = SandboxedEnvironment(
    undefined=StrictUndefined,
    autoescape=False,  # plain text for a platform
    finalize=lambda value: clean_text(truncate("" if value is None else str(value), 300)),
)


@dataclass(frozen=True)
class Offer:
    """An approved entry that fits the incident, in one language."""

    entry: StatementEntry
    held: Standing


def matching_entry(
    kit: Kit, incident: Incident, locale: str, session: Session, now: datetime
) -> Offer | None:
    """The first holding entry of the library (in the kit's order) for the incident's attack type and
    severity whose text in `locale` the quorum approved and whose approvals still stand at `now`."""
    for entry in kit.statements:
        if (
            entry.kind == StatementKind.HOLDING
            and entry.attack_type == incident.attack_type
            and incident.severity in entry.severities
        ):
            held = standing(session, kit=kit, entry=entry, locale=locale, now=now)
            if held.approved:
                return Offer(entry, held)
    return None


def offer_library_statements(
    session: Session,
    *,
    incident: Incident,
    kit: Kit,
    playbook: Playbook,
    lead: Person,
    at: datetime,
    available: set[str],
) -> list[Draft]:
    """Propose the library's approved holding statement in each language that has none yet; the drafts.

    The draft's author is whoever wrote the library's words (never one of its approvers); `lead` is who
    it is proposed for. Re-entrant like the template drafts: a language with a holding statement is not
    offered again.
    """
    offered = []
    for locale in languages_to_draft(
        session, incident=incident, kind=DraftKind.HOLDING_STATEMENT, kit=kit, playbook=playbook
    ):
        offer = matching_entry(kit, incident, locale, session, at)
        if offer is None:
            continue
        try:
            values = crisis_values(session, offer.entry, incident=incident, kit=kit, locale=locale, at=at)
        except LibraryError as refused:
            record_event(session, incident=incident, at=at, kind="exit_on_top", summary=f"library: {refused}")
            continue
        offered.append(_propose(session, offer, incident, lead, locale, values, at, available))
    return offered


def crisis_values(
    session: Session, entry: StatementEntry, *, incident: Incident, kit: Kit, locale: str, at: datetime
) -> dict[str, str]:
    """The declared variables' values for this incident, each checked against its declared type."""
    zone = "Europe/Paris"
    if incident.lead_id is not None:
        zone = session.get_one(Person, incident.lead_id).timezone
    sources = {
        VariableSource.TARGET: lambda: session.get_one(Target, incident.target_id).name,
        VariableSource.ORG: lambda: kit.kit.name,
        VariableSource.TODAY: lambda: format_day(at, locale, zone),
        VariableSource.DETECTED: lambda: format_day(incident.detected_at, locale, zone),
    }
    values = {}
    for name, variable in entry.variables.items():
        value = variable.value if variable.source is None else sources[variable.source]()
        value = clean_text(value or "").strip()
        if not is_variable_value(variable.type, value):
            raise LibraryError(
                f"{entry.key}: {name} = {value!r} is not a {variable.type}, so it is not offered."
            )
        values[name] = value
    return values


def render_library_text(text: str, values: dict[str, Any], locale: str, *, is_drill: bool) -> str:
    """The entry's words with the variables filled in; a drill's are marked as an exercise."""
    rendered = clean_draft_text(_ENVIRONMENT.from_string(text).render(values))
    return f"{DRILL_PREFIX[locale]} {rendered}" if is_drill else rendered


def _propose(
    session: Session,
    offer: Offer,
    incident: Incident,
    lead: Person,
    locale: str,
    values: dict[str, str],
    at: datetime,
    available: set[str],
) -> Draft:
    template = offer.held.text
    assert template is not None  # approved, so written
    text = render_library_text(template.text, values, locale, is_drill=incident.is_drill)
    last = session.scalar(select(func.max(Draft.number)).where(Draft.incident_id == incident.id))
    draft = Draft(
        incident_id=incident.id,
        number=(last or 0) + 1,
        kind=DraftKind.HOLDING_STATEMENT,
        locale=locale,
        text=text,
        text_sha256=text_sha256(text),
        version=1,
        status=DraftStatus.APPROVED,  # the quorum stands already: it approved these words in peacetime
        author_id=template.author_id,  # the words' writer: their approvals came from others
        created_at=at,
        updated_at=at,
        approved_at=at,
        reminders_sent=0,
    )
    session.add(draft)
    session.flush()
    approvals = _approvals_cited(offer)
    who = ", ".join(f"{a['name']} ({a['role']})" for a in approvals)
    record_event(
        session,
        incident=incident,
        at=at,
        kind=LIBRARY_EVENT,
        actor=lead.key,
        summary=f"{draft.label} from the library: {offer.entry.key} v{template.version} ({locale}), "
        f"approved by {who}; published by {offer.entry.publish_role or 'the lead'} without a new quorum",
        new={
            "draft": draft.label,
            "draft_id": draft.id,
            "entry": offer.entry.key,
            "locale": locale,
            "version": template.version,
            "template_sha256": template.text_sha256,
            "text_sha256": draft.text_sha256,
            "values": values,
            "approvals": approvals,
        },
    )
    reach_milestone(session, incident=incident, milestone="approved_at", at=at, actor=lead.key)
    _tell_publishers(session, offer, incident, lead, draft, approvals, at, available)
    return draft


def _approvals_cited(offer: Offer) -> list[dict[str, object]]:
    """The peacetime approvals a library draft rests on, as the timeline and the publishers read them."""
    return [
        {
            "id": a.id,
            "name": a.person.name,
            "role": a.role,
            "decided_at": a.decided_at.isoformat(),
            "expires_at": a.expires_at.isoformat() if a.expires_at else None,
            "text_sha256": a.text_sha256,
        }
        for a in offer.held.counted
    ]


def _tell_publishers(
    session: Session,
    offer: Offer,
    incident: Incident,
    lead: Person,
    draft: Draft,
    approvals: list[dict[str, Any]],
    at: datetime,
    available: set[str],
) -> None:
    """The lead (or the entry's publishing role in the cell) hears the approved words are ready to post."""
    role = offer.entry.publish_role
    if role is None:
        people = [lead]
    else:
        people = list(
            session.scalars(
                select(Person)
                .join(Participant, Participant.person_id == Person.id)
                .where(
                    Participant.incident_id == incident.id,
                    Participant.role == role,
                    Participant.status.not_in(ParticipantStatus.gave_up_statuses()),
                )
                .order_by(Participant.id)
            )
        )
    for person in people:
        message_person(
            session,
            incident=incident,
            person=person,
            key=f"incident:{incident.id}/draft:{draft.number}/v1/library/person:{person.id}",
            template=TEMPLATE,
            context={
                "ref": incident.ref,
                "title": incident.title,
                "draft": draft.label,
                "version": draft.version,
                "entry": offer.entry.key,
                "text": draft.text,
                "approvers": [{"name": a["name"], "role": a["role"]} for a in approvals],
                "person_name": person.name,
                "person_key": person.key,
                "is_drill": incident.is_drill,
            },
            available=available,
            at=at,
        )
