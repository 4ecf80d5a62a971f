"""Exit-on-top statements: drafted from templates, approved by the quorum, published by a person.

The holding statement is the first short public message while the facts are checked; the follow-up
statement says the branch (already handled, or the apology with its commitments). Each is a `Draft` in
every language the playbook asks for, and leaves only with the quorum's approval of its exact words.

There is no social network API here: publishing is a person saying where and when they posted the
approved text. A drill never posts anything: its publication is recorded as simulated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.exit_on_top.branches import ExitError, live_commitments, require_member
from flows.exit_on_top.library_use import rests_on_the_library
from flows.kit.schema import Kit, Playbook
from flows.quorum import propose_draft, standing_decisions
from flows.quorum.rules import text_sha256
from models import (
    Decision,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    IncidentStatus,
    Person,
    Target,
    TimelineEvent,
    reach_milestone,
    record_event,
)
from notifications.render import DRILL_PREFIX, TEMPLATES_DIR, clean_text, resolve_locale, truncate

UNWRITTEN = "[["  # a part a template leaves for the cell to write: a text holding one is never published
DRAFTED_EVENT, PUBLISHED_EVENT = "statement_drafted", "statement_published"
MAX_WHERE_CHARS = 200
_URL = re.compile(r"^https?://\S{1,1990}$")
# Spelt out rather than from strftime, which follows the process locale.
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass(frozen=True)
class Publication:
    """A statement as it was posted: where, when, by whom; `simulated` for a drill (nothing posted)."""

    draft_id: int
    label: str
    where: str
    url: str | None
    by: str
    at: datetime
    simulated: bool


def render_statement(template: str, locale: str, values: dict[str, Any], *, is_drill: bool = False) -> str:
    """The statement's text from `templates/<locale>/<template>.txt.j2`; pure.

    A drill's text starts with the exercise marker, so it can never pass for a real statement.
    """
    locale = resolve_locale(locale)
    text = _environment(locale).get_template(f"{template}.txt.j2").render(values)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()
    return f"{DRILL_PREFIX[locale]} {text}" if is_drill else text


def _finalize(value: Any) -> str:
    # Values are the kit's and the cell's words, still capped and stripped like any outside text.
    return clean_text(truncate("" if value is None else str(value), 1000))


@cache
def _environment(locale: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES_DIR / locale),
        undefined=StrictUndefined,
        finalize=_finalize,
        autoescape=False,  # plain text for a platform, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
    )


def format_day(moment: datetime, locale: str, zone: str) -> str:
    """A date as a reader of `locale` writes it: « 31 décembre 2026 », "31 December 2026"."""
    day = moment.astimezone(ZoneInfo(zone))
    if resolve_locale(locale) == "fr":
        return f"{day.day} {_MONTHS_FR[day.month - 1]} {day.year}"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def statement_languages(kit: Kit, playbook: Playbook) -> list[str]:
    """The languages every statement is drafted in: the playbook's, else the kit's."""
    return list(playbook.exit.languages or [kit.kit.locale])


def statement_values(
    session: Session, *, incident: Incident, kit: Kit, playbook: Playbook, locale: str
) -> dict[str, Any]:
    """What a statement may say. Never the attacker's words: the text is ours, and public."""
    commitments = []
    for commitment in live_commitments(session, incident_id=incident.id):
        owner = session.get_one(Person, commitment.owner_id)
        due = format_day(commitment.due_at, locale, owner.timezone)
        commitments.append({"text": commitment.text, "due": due})
    return {
        "org": kit.kit.name,
        "target": session.get_one(Target, incident.target_id).name,
        "guidelines_url": playbook.exit.guidelines_url,
        "commitments": commitments,
    }


def languages_to_draft(
    session: Session, *, incident: Incident, kind: DraftKind, kit: Kit, playbook: Playbook
) -> list[str]:
    """The languages the statement of `kind` has no draft in yet.

    A withdrawn follow-up does not count (it was withdrawn when the branch changed, so changing back
    drafts it anew); a withdrawn holding statement does (the cell chose not to hold).
    """
    query = select(Draft.locale).where(Draft.incident_id == incident.id, Draft.kind == kind)
    if kind is not DraftKind.HOLDING_STATEMENT:
        query = query.where(Draft.status != DraftStatus.WITHDRAWN)
    done = {resolve_locale(locale) for locale in session.scalars(query)}
    return [locale for locale in statement_languages(kit, playbook) if locale not in done]


def propose_statement(
    session: Session,
    *,
    incident: Incident,
    kind: DraftKind,
    template: str,
    author: Person,
    kit: Kit,
    playbook: Playbook,
    at: datetime,
    available: set[str],
) -> list[Draft]:
    """Propose the statement in each language that has none yet; the drafts proposed (re-entrant)."""
    proposed = []
    for locale in languages_to_draft(session, incident=incident, kind=kind, kit=kit, playbook=playbook):
        values = statement_values(session, incident=incident, kit=kit, playbook=playbook, locale=locale)
        text = render_statement(template, locale, values, is_drill=incident.is_drill)
        draft = propose_draft(
            session,
            incident=incident,
            author=author,
            kind=kind,
            text=text,
            locale=locale,
            at=at,
            available=available,
        )
        record_event(
            session,
            incident=incident,
            at=at,
            kind=DRAFTED_EVENT,
            summary=f"{draft.label} drafted from the template {template} ({locale}) for {author.name}",
            new={"draft": draft.label, "draft_id": draft.id, "kind": kind.value, "locale": locale},
        )
        proposed.append(draft)
    return proposed


def publish_statement(
    session: Session,
    *,
    draft: Draft,
    person: Person,
    where: str,
    at: datetime,
    url: str | None = None,
    posted_text: str | None = None,
) -> Publication:
    """Record that `person` posted the approved statement `where` (at `url`) at `at`.

    Refused unless the quorum approved this exact text, and, when `posted_text` is given, unless it is
    the approved text. Stamps `first_statement_at` (a holding statement) and `published_at`. For a drill
    nothing was posted: the publication is recorded as simulated, and a URL is refused.
    """
    session.refresh(draft, with_for_update=True)  # decisions or an edit may be landing
    incident = session.get_one(Incident, draft.incident_id)
    _refuse_unless_publishable(session, incident=incident, draft=draft, person=person)
    rests_on = rests_on_the_library(session, draft=draft, person=person, at=at)
    _check_the_words(session, draft, posted_text, approved_in_peacetime=rests_on is not None)
    if draft.approved_at is not None and at < draft.approved_at:
        raise ExitError(f"{draft.label} cannot have been posted before it was approved.")
    where, url = _where_posted(incident, where, url)
    draft.status, draft.updated_at = DraftStatus.PUBLISHED, at
    _record_publication(
        session, incident=incident, draft=draft, person=person, where=where, url=url, at=at, rests_on=rests_on
    )
    if draft.kind == DraftKind.HOLDING_STATEMENT:
        reach_milestone(session, incident=incident, milestone="first_statement_at", at=at, actor=person.key)
    reach_milestone(session, incident=incident, milestone="published_at", at=at, actor=person.key)
    return Publication(draft.id, draft.label, where, url, person.name, at, incident.is_drill)


def _refuse_unless_publishable(session: Session, *, incident: Incident, draft: Draft, person: Person) -> None:
    """Only an approved statement of a live incident is published, and by a member of its cell."""
    if draft.kind == DraftKind.REVIEW_REPLY:
        raise ExitError(
            f"{draft.label} replies to a review: it is published as its reply.", kind="review_reply"
        )
    if incident.status in (IncidentStatus.CLOSED, IncidentStatus.DISMISSED):
        raise ExitError(f"{incident.ref} is {incident.status}: nothing is published for it any more.")
    require_member(session, incident=incident, person=person)
    if draft.status == DraftStatus.PUBLISHED:
        raise ExitError(f"{draft.label} is already published.", kind="already_published", ref=incident.ref)
    if draft.status != DraftStatus.APPROVED:
        raise ExitError(
            f"{draft.label} is {draft.status}: only a text the quorum approved is published.",
            kind="not_approved",
            ref=incident.ref,
            label=draft.label,
        )


def _where_posted(incident: Incident, where: str, url: str | None) -> tuple[str, str | None]:
    """Where it was posted and its address, cleaned; a drill posts nothing, so it has no address."""
    where = clean_text(where).strip()
    if not where or len(where) > MAX_WHERE_CHARS:
        raise ExitError(f'Say where it was posted (at most {MAX_WHERE_CHARS} characters), e.g. "Google".')
    if url is not None and not _URL.match(url.strip()):
        raise ExitError("The address must start with https:// or http:// and hold no spaces.")
    if incident.is_drill and url is not None:
        raise ExitError(
            f"{incident.ref} is a drill: nothing is posted publicly, so there is no address to record."
        )
    return where, url.strip() if url else None


def _record_publication(
    session: Session,
    *,
    incident: Incident,
    draft: Draft,
    person: Person,
    where: str,
    url: str | None,
    at: datetime,
    rests_on: object,
) -> None:
    """The publication on the timeline: who posted which version of which text, where (or simulated), and
    the peacetime approvals it rests on when it came from the statement library (`rests_on`)."""
    what = f"{draft.label} ({draft.kind.value}, {draft.locale})"
    if incident.is_drill:
        summary = (
            f"EXERCICE / DRILL — {person.name} marked {what} as published on {where}: simulated, not posted"
        )
    else:
        summary = f"{person.name} published {what} on {where}" + (f": {url}" if url else "")
    record_event(
        session,
        incident=incident,
        at=at,
        kind=PUBLISHED_EVENT,
        actor=person.key,
        summary=summary,
        old={"draft": draft.label, "status": DraftStatus.APPROVED.value},
        new={
            "draft": draft.label,
            "draft_id": draft.id,
            "status": DraftStatus.PUBLISHED.value,
            "version": draft.version,
            "text_sha256": draft.text_sha256,
            "where": where,
            "url": url,
            "by": person.key,
            "by_name": person.name,
            "simulated": incident.is_drill,
            "rests_on_library": rests_on,
        },
    )


def _check_the_words(
    session: Session, draft: Draft, posted_text: str | None, *, approved_in_peacetime: bool = False
) -> None:
    """The text to publish is the one the approvers read, byte for byte, and fully written.

    `approved_in_peacetime`: the library's approvals were checked instead (`rests_on_the_library`).
    """
    approvals = [a for a in standing_decisions(session, draft=draft) if a.decision == Decision.APPROVE]
    fingerprint = text_sha256(draft.text)
    if not approved_in_peacetime and (
        not approvals
        or fingerprint != draft.text_sha256
        or any(a.text_sha256 != fingerprint or a.text != draft.text for a in approvals)
    ):
        raise ExitError(
            f"The text of {draft.label} is not the one its approvers approved: it cannot be published."
        )
    if UNWRITTEN in draft.text:
        raise ExitError(
            f"{draft.label} still has parts to write (between [[ ]]): edit it, have the new version "
            "approved, then publish it."
        )
    if posted_text is not None and posted_text.removeprefix("\ufeff").strip() != draft.text:
        raise ExitError(
            f"The text you posted differs from the approved {draft.label} (version {draft.version}): "
            "post the approved words, or edit the draft and have it approved again."
        )


def publications(session: Session, *, incident_id: int) -> dict[int, Publication]:
    """Every statement publication of the incident, by draft id, as the timeline recorded it."""
    found: dict[int, Publication] = {}
    events = session.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.incident_id == incident_id, TimelineEvent.kind == PUBLISHED_EVENT)
        .order_by(TimelineEvent.id)
    )
    for event in events:
        new = event.new or {}
        found[int(new["draft_id"])] = Publication(
            int(new["draft_id"]),
            str(new["draft"]),
            str(new["where"]),
            new.get("url"),
            str(new.get("by_name") or event.actor or ""),
            event.at,
            bool(new.get("simulated")),
        )
    return found
