"""The dispatcher: sends what the outbox holds, once per key, with retries, backoff and fallbacks.

Each row goes through three short steps: claim it (its own transaction), send it (no transaction held while
Slack or the mail relay answers), record the outcome (a second transaction). A claim is a lease: if this
process dies mid-send, the row becomes due again when the lease lapses. Several dispatchers may run at once;
on PostgreSQL they skip each other's locked rows, on SQLite the write lock taken at BEGIN serialises claims.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from jinja2 import TemplateError
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from models import Incident, Notification, NotificationStatus, Person, transaction
from notifications.channels import Channel, Delivery, DeliveryError, SendResult
from notifications.render import render_message

LEASE = timedelta(minutes=5)  # far longer than any channel's timeout, so a live claim never lapses
MAX_ATTEMPTS_PER_STEP = 3
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=15)


@dataclass
class DispatchReport:
    """What one dispatch run did, counted per attempt."""

    sent: int = 0
    retried: int = 0  # a retryable failure: the same route step will be tried again later
    fell_back: int = 0  # the route step gave up: the next one is due now
    dead: int = 0  # no route step left


@dataclass(frozen=True)
class _Claim:
    id: int
    channel: str
    lease: datetime  # our claimed_until: still equal at record time means the row is still ours
    delivery: Delivery


def dispatch_due(
    sessions: sessionmaker[Session],
    *,
    channels: Mapping[str, Channel],
    now: datetime,
    incident_id: int | None = None,
    limit: int = 200,
) -> DispatchReport:
    """Send every due outbox row (optionally only one incident's), oldest first, at most `limit` attempts.

    A row that falls back to its next channel is due at once, so one run walks a whole route if it must.
    """
    report = DispatchReport()
    for _ in range(limit):
        claim = _claim_next(sessions, now=now, incident_id=incident_id, report=report)
        if claim is None:
            break
        outcome = _send(claim, channels)
        _record(sessions, claim, outcome, now=now, report=report)
    return report


def backoff(attempts: int) -> timedelta:
    """The wait before retrying a route step after its `attempts`-th failure: 30 s, 1 min, 2 min… capped."""
    return min(BASE_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def _claim_next(
    sessions: sessionmaker[Session], *, now: datetime, incident_id: int | None, report: DispatchReport
) -> _Claim | None:
    """Lease the oldest due row and build its delivery, or None when nothing is due."""
    while True:
        with transaction(sessions) as session:
            row = session.scalars(_due(now, incident_id)).first()
            if row is None:
                return None
            # A lapsed claim (its sender died mid-send) or a failed attempt (a timeout after the provider
            # took the message) leaves the outcome unknown: the channel is told to look before it sends.
            maybe_delivered = row.status == NotificationStatus.SENDING or row.attempts > 0
            row.status = NotificationStatus.SENDING
            row.claimed_until = now + LEASE
            row.attempts += 1
            try:
                delivery = _delivery(session, row, maybe_delivered=maybe_delivered)
            except (TemplateError, ValueError, TypeError) as exc:
                # The same template fails on every channel: no fallback can help, only a fix.
                _release(row, NotificationStatus.DEAD, error=f"render: {exc}")
                report.dead += 1
                continue
            return _Claim(row.id, row.channel, row.claimed_until, delivery)


def _due(now: datetime, incident_id: int | None) -> Select[tuple[Notification]]:
    """The oldest row that is pending, or whose claim lapsed, and whose time has come."""
    lapsed = and_(Notification.status == NotificationStatus.SENDING, Notification.claimed_until < now)
    query = (
        select(Notification)
        .where(or_(Notification.status == NotificationStatus.PENDING, lapsed))
        .where(Notification.next_attempt_at <= now)
        .order_by(Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL: other dispatchers pass over it; SQLite ignores it
    )
    if incident_id is not None:
        query = query.where(Notification.incident_id == incident_id)
    return query


def _delivery(session: Session, row: Notification, *, maybe_delivered: bool) -> Delivery:
    """Render the row for its current route step, with what the channel needs to know of the incident."""
    context = {**row.context, "is_drill": row.is_drill or bool(row.context.get("is_drill"))}
    person = session.get(Person, row.person_id) if row.person_id is not None else None
    if person is not None:
        context.setdefault("timezone", person.timezone)  # times are shown in the reader's zone
    incident = session.get(Incident, row.incident_id) if row.incident_id is not None else None
    return Delivery(
        key=row.key,
        template=row.template,
        locale=row.locale,
        address=row.address,
        is_drill=context["is_drill"],
        message=render_message(row.template, row.locale, context),
        incident_ref=incident.ref if incident else None,
        incident_title=incident.title if incident else None,
        room_id=incident.slack_channel_id if incident else None,
        maybe_delivered=maybe_delivered,
    )


def _send(claim: _Claim, channels: Mapping[str, Channel]) -> SendResult | DeliveryError:
    channel = channels.get(claim.channel)
    if channel is None:
        return DeliveryError(f"{claim.channel}: channel not configured", retryable=False)
    try:
        return channel.send(claim.delivery)
    except DeliveryError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - a channel's bug must not leave the row claimed or stop the run
        return DeliveryError(f"{claim.channel}: unexpected {exc.__class__.__name__}: {exc}", retryable=True)


def _record(
    sessions: sessionmaker[Session],
    claim: _Claim,
    outcome: SendResult | DeliveryError,
    *,
    now: datetime,
    report: DispatchReport,
) -> None:
    with transaction(sessions) as session:
        row = session.get_one(Notification, claim.id, with_for_update=True)
        if row.status == NotificationStatus.SENT:
            return  # a slower dispatcher whose lease lapsed: the first record stands
        if isinstance(outcome, SendResult):
            _mark_sent(session, row, outcome, claim.delivery, now=now)
            report.sent += 1
        elif row.claimed_until == claim.lease:  # otherwise another dispatcher owns the row now
            _mark_failed(row, outcome, now=now, report=report)


def _mark_sent(
    session: Session, row: Notification, result: SendResult, delivery: Delivery, *, now: datetime
) -> None:
    """Record what was sent and where; a room Slack created for the incident becomes the incident's."""
    row.provider_message_id = result.provider_message_id
    row.sent_body = result.body if result.body is not None else delivery.message.text
    row.sent_at = now
    _release(row, NotificationStatus.SENT, error=None)
    if result.room_id and row.incident_id is not None:
        incident = session.get_one(Incident, row.incident_id, with_for_update=True)
        if incident.slack_channel_id is None:
            incident.slack_channel_id = result.room_id


def _mark_failed(row: Notification, error: DeliveryError, *, now: datetime, report: DispatchReport) -> None:
    """Retry the same step later, fall back to the next step now, or give up: the route decides."""
    message = f"{row.channel} → {row.address}: {error}"
    if error.retryable and row.attempts < MAX_ATTEMPTS_PER_STEP:
        wait = max(backoff(row.attempts), timedelta(seconds=error.retry_after or 0))
        _release(row, NotificationStatus.PENDING, error=message, next_attempt_at=now + wait)
        report.retried += 1
    elif row.route_index + 1 < len(row.route):
        row.route_index += 1
        row.attempts = 0
        _release(row, NotificationStatus.PENDING, error=message, next_attempt_at=now)
        report.fell_back += 1
    else:
        _release(row, NotificationStatus.DEAD, error=message)
        report.dead += 1


def _release(
    row: Notification,
    status: NotificationStatus,
    *,
    error: str | None,
    next_attempt_at: datetime | None = None,
) -> None:
    """Give up our claim, leaving the row in `status`."""
    row.status = status
    row.claimed_until = None
    if error is not None:
        row.last_error = error[:2000]
    if next_attempt_at is not None:
        row.next_attempt_at = next_attempt_at
