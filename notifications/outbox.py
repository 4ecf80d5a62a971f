"""The outbox: a message is a row first, written with the state change that caused it (principle 2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Incident, Notification, NotificationStatus, Person
from notifications.render import render_message, resolve_locale


def enqueue(
    session: Session,
    *,
    key: str,
    template: str,
    locale: str,
    context: dict[str, Any],
    route: list[list[str]],
    at: datetime,
    incident_id: int | None = None,
    person_id: int | None = None,
    is_drill: bool = False,
) -> Notification:
    """Queue a message under an idempotency key; the caller's transaction decides whether it exists.

    If a row with `key` already exists it is returned unchanged and nothing is written. The template is
    rendered once here, so a context missing a key fails the caller's transaction instead of producing a
    message that can never be sent.
    """
    existing = _find(session, key)
    if existing is not None:
        return existing
    if not route or any(len(step) != 2 for step in route):
        raise ValueError(f"route must be a non-empty list of [channel, address] pairs, got {route!r}")
    locale = resolve_locale(locale)
    render_message(template, locale, {**context, "is_drill": is_drill or context.get("is_drill", False)})
    row = Notification(
        key=key,
        template=template,
        locale=locale,
        context=context,
        route=[list(step) for step in route],
        route_index=0,
        status=NotificationStatus.PENDING,
        attempts=0,
        next_attempt_at=at,
        incident_id=incident_id,
        person_id=person_id,
        is_drill=is_drill,
        created_at=at,
    )
    try:
        # A SAVEPOINT, so losing the race to another writer of the same key leaves the caller's work intact.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        winner = _find(session, key)
        if winner is None:  # the conflict was not about the key: let the caller see it
            raise
        return winner
    return row


def route_for(person: Person, *, available: set[str]) -> list[list[str]]:
    """The person's ordered fallback chain over the available channels; the console always comes last."""
    route = []
    if "slack" in available and person.slack_user_id:
        route.append(["slack", person.slack_user_id])
    if "email" in available and person.email:
        route.append(["email", person.email])
    route.append(["console", person.key])
    return route


def _find(session: Session, key: str) -> Notification | None:
    return session.scalars(select(Notification).where(Notification.key == key)).one_or_none()


def message_person(
    session: Session,
    *,
    incident: Incident,
    person: Person,
    key: str,
    template: str,
    context: dict[str, Any],
    available: set[str],
    at: datetime,
) -> Notification:
    """Queue a message about `incident` to one person: in their language, along their route, marked as a
    drill when the incident is one."""
    return enqueue(
        session,
        key=key,
        template=template,
        locale=person.locale,
        context=context,
        route=route_for(person, available=available),
        at=at,
        incident_id=incident.id,
        person_id=person.id,
        is_drill=incident.is_drill,
    )
