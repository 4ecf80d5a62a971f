"""Avenue 3: the public reply — drafted from a template, approved by the quorum, then published once.

This is the avenue that does the real work: the reply is what future readers see. It is a `Draft` of kind
`review_reply`, so nobody publishes alone. Publishing checks, under a lock on the reply row, that the draft
is approved, that the quorum still holds for its current version, and that the text about to be sent is
byte for byte the text each approver approved; then a connector sends exactly that text. A platform error
leaves the reply unpublished with the error and the attempt recorded; a published reply is never sent
again. Drills never publish anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows.quorum import QuorumError, approval_policy, propose_draft, quorum_state, standing_decisions
from flows.quorum.ballots import cell_roles
from flows.reviews.avenues import ensure_avenues
from flows.reviews.cases import record_case_event, text_sha256
from flows.reviews.connectors import ConnectorError, ReplyConnector
from flows.reviews.customers import rests_on_a_name
from flows.reviews.errors import ReviewError
from flows.reviews.reply_text import ReplyFacts, render_reply
from models import (
    AvenueStatus,
    Decision,
    Draft,
    DraftKind,
    DraftStatus,
    Incident,
    Person,
    PublicReply,
    ReviewCase,
    Target,
    reach_milestone,
)

PLATFORM_NAMES = {"google": "Google", "trustpilot": "Trustpilot", "tripadvisor": "Tripadvisor"}
_REDRAFTABLE = frozenset({DraftStatus.REJECTED, DraftStatus.WITHDRAWN})


@dataclass(frozen=True)
class PublishOutcome:
    published: bool
    reply: PublicReply
    error: str | None = None  # the platform's refusal, as recorded in `last_error`
    retryable: bool = False


def draft_reply(
    session: Session,
    *,
    case: ReviewCase,
    author: Person,
    tone: str,
    locale: str,
    at: datetime,
    available: set[str],
) -> Draft:
    """Draft the public reply from the templates and put it up for the quorum's approval.

    One reply per case: while its draft lives, it is changed with `edit_draft` (a new version approved
    anew); only a rejected or withdrawn draft may be replaced by a fresh one.
    """
    reply = ensure_avenues(session, case=case, for_update=True).reply
    _still_open(reply)
    if reply.draft_id is not None:
        current = session.get_one(Draft, reply.draft_id)
        if current.status not in _REDRAFTABLE:
            raise ReviewError(
                f"The reply is already drafted as {current.label} ({current.status}): change its words "
                "with an edit, which the cell approves anew.",
                kind="reply_drafted",
                label=current.label,
            )
    incident = session.get_one(Incident, case.incident_id)
    facts = _reply_facts(session, case=case, incident=incident)
    text = render_reply(facts, attack_type=incident.attack_type.value, tone=tone, locale=locale)
    try:
        draft = propose_draft(
            session,
            incident=incident,
            author=author,
            kind=DraftKind.REVIEW_REPLY,
            text=text,
            locale=locale,
            at=at,
            available=available,
        )
    except QuorumError as exc:
        raise ReviewError(str(exc)) from None
    old = {"status": reply.status.value, "draft_id": reply.draft_id}
    reply.draft_id, reply.status = draft.id, AvenueStatus.WAITING
    record_case_event(
        session,
        case=case,
        at=at,
        actor=author.key,
        kind="reply_drafted",
        summary=f"public reply drafted as {draft.label} ({tone}, {locale}), awaiting the quorum",
        old=old,
        new={"status": reply.status.value, "draft_id": draft.id, "tone": tone, "locale": locale},
    )
    return draft


def _reply_facts(session: Session, *, case: ReviewCase, incident: Incident) -> ReplyFacts:
    """What the reply may say: whom it answers, where, and what the customer list told us."""
    return ReplyFacts(
        business=session.get_one(Target, incident.target_id).name,
        platform=PLATFORM_NAMES.get(case.platform, case.platform.capitalize()),
        reviewer=None if case.anonymous else case.author_display_name,
        star_rating=case.star_rating,
        was_customer=case.was_customer,
        on_name_only=rests_on_a_name(case),
    )


def approved_text(session: Session, *, draft: Draft, incident: Incident) -> str:
    """The text the quorum approved, exactly; `ReviewError` if there is none to publish.

    The draft must be approved, the quorum must hold for its current version, and each counted approval
    must have been given to these very bytes (its recorded text and fingerprint).
    """
    if draft.status == DraftStatus.PUBLISHED:
        raise ReviewError(f"{draft.label} is already published.")
    state = quorum_state(session, draft=draft, policy=approval_policy(session, incident=incident))
    if draft.status != DraftStatus.APPROVED or not state.approved:
        raise ReviewError(
            f"{draft.label} (version {draft.version}) is {draft.status}: no reply leaves without the "
            f"quorum's approval. {state.explanation}"
        )
    fingerprint = text_sha256(draft.text)
    counted = [
        a
        for a in standing_decisions(session, draft=draft)
        if a.person_id in state.approvers and a.decision == Decision.APPROVE
    ]
    if fingerprint != draft.text_sha256 or any(
        a.text_sha256 != fingerprint or a.text != draft.text for a in counted
    ):
        raise ReviewError(
            f"The text of {draft.label} is not the text the cell approved: it cannot be published. "
            "Edit it so the cell approves the words that will go out."
        )
    return draft.text


def publish_reply(
    session: Session, *, case: ReviewCase, connector: ReplyConnector, person: Person, at: datetime
) -> PublishOutcome:
    """Publish the approved reply through `connector`, once; a platform error is recorded, not raised.

    Refusals (`ReviewError`) change nothing. The reply row stays locked while the platform answers, so
    two people publishing at once send one reply.
    """
    incident = session.get_one(Incident, case.incident_id)
    if incident.is_drill:
        raise ReviewError(f"{incident.ref} is a drill: drills never publish anything publicly.")
    if connector.platforms is not None and case.platform not in connector.platforms:
        raise ReviewError(
            f"The {connector.name} connector publishes on {', '.join(sorted(connector.platforms))}, "
            f"not on {case.platform}: use --connector manual and post it yourself."
        )
    try:
        cell_roles(session, incident=incident, person=person)
    except QuorumError as exc:
        raise ReviewError(str(exc)) from None
    reply = ensure_avenues(session, case=case, for_update=True).reply
    if reply.published_at is not None:
        raise ReviewError(
            f"The reply was published on {reply.published_at:%Y-%m-%d %H:%M} UTC by {reply.published_by}: "
            "a published reply is never sent again."
        )
    _still_open(reply)
    if reply.draft_id is None:
        raise ReviewError("No reply is drafted yet: draft one for the quorum first.", kind="no_reply_draft")
    draft = session.get_one(Draft, reply.draft_id)
    session.refresh(draft, with_for_update=True)  # nobody edits the words while they are being sent
    text = approved_text(session, draft=draft, incident=incident)
    reply.attempts += 1
    reply.connector = connector.name
    try:
        result = connector.publish(case, text)
    except ConnectorError as exc:
        reply.last_error = str(exc)[:2000]
        record_case_event(
            session,
            case=case,
            at=at,
            actor=person.key,
            kind="reply_publish_failed",
            summary=f"{draft.label} not published through {connector.name} (attempt {reply.attempts}): {exc}",
            new={"attempts": reply.attempts, "error": reply.last_error, "retryable": exc.retryable},
        )
        return PublishOutcome(False, reply, reply.last_error, exc.retryable)
    reply.provider_reference, reply.published_url = result.reference, result.url
    _published(
        session, case=case, reply=reply, draft=draft, incident=incident, person=person, at=at, text=text
    )
    return PublishOutcome(True, reply)


def _published(
    session: Session,
    *,
    case: ReviewCase,
    reply: PublicReply,
    draft: Draft,
    incident: Incident,
    person: Person,
    at: datetime,
    text: str,
) -> None:
    reply.status, reply.published_at, reply.published_by = AvenueStatus.SUCCEEDED, at, person.key
    reply.published_text_sha256, reply.last_error = text_sha256(text), None
    old_status, draft.status = draft.status, DraftStatus.PUBLISHED
    reach_milestone(session, incident=incident, milestone="published_at", at=at, actor=person.key)
    record_case_event(
        session,
        case=case,
        at=at,
        actor=person.key,
        kind="reply_published",
        summary=f"{person.name} published {draft.label} v{draft.version} as the public reply "
        f"({reply.connector}, attempt {reply.attempts})",
        old={"status": AvenueStatus.WAITING.value, "draft_status": old_status.value},
        new={
            "status": reply.status.value,
            "draft_status": draft.status.value,
            "draft": draft.label,
            "version": draft.version,
            "text_sha256": reply.published_text_sha256,
            "connector": reply.connector,
            "url": reply.published_url,
        },
    )


def _still_open(reply: PublicReply) -> None:
    if reply.status == AvenueStatus.ABANDONED:
        raise ReviewError(f"The public reply was abandoned ({reply.abandoned_reason}).")
