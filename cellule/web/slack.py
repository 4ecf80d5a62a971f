"""Slack interactivity: the buttons on Cellule's messages ("I take it", "I can't").

Every request is verified with the Slack signing secret (slack_sdk's SignatureVerifier: a bad signature,
or a timestamp more than five minutes away, is refused with 401 and changes nothing). A verified request
is applied once: its body's hash is recorded in the same transaction as its effect, so a replay finds it
and changes nothing. Only a person of the incident's cell can answer for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flows.answers import AnswerError, acknowledge, decline
from flows.kit import NoKit, require_kit
from flows.runtime import Runtime
from models import InboundAction, Incident, Notification, Person, transaction

MAX_BODY_BYTES = 64_000  # Slack's interaction payloads are a few kilobytes
ANSWERS = {"ack": acknowledge, "decline": decline}


class Refused(Exception):
    """A verified request that cannot be applied; says why, changes nothing."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def verified_body(request_body: bytes, headers: Any, verifier: SignatureVerifier) -> bytes:
    if len(request_body) > MAX_BODY_BYTES:
        raise Refused(413, "request too large")
    try:
        valid = verifier.is_valid(
            request_body, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
        )
    except ValueError:  # a timestamp that is not a number
        valid = False
    if not valid:
        raise Refused(401, "invalid or stale Slack signature")
    return request_body


def parse_action(body: bytes) -> tuple[str, str, str]:
    """(action_id, notification key, Slack user id) from a block_actions payload."""
    try:
        payload = json.loads(parse_qs(body.decode("utf-8"))["payload"][0])
        action = payload["actions"][0]
        return str(action["action_id"]), str(action["value"]), str(payload["user"]["id"])
    except (KeyError, IndexError, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise Refused(400, "not a Slack block_actions payload") from exc


def apply_answer(
    session: Session, *, action_id: str, key: str, slack_user: str, runtime: Runtime
) -> tuple[int, str]:
    """Apply one button click in the caller's transaction; return (incident id, what happened)."""
    answer = ANSWERS.get(action_id)
    if answer is None:
        raise Refused(400, f"unknown action {action_id!r}")
    notification = session.scalars(select(Notification).where(Notification.key == key)).first()
    if notification is None or notification.incident_id is None:
        raise Refused(404, "this message is not one of Cellule's")
    person = session.scalars(select(Person).where(Person.slack_user_id == slack_user)).first()
    if person is None:
        raise Refused(403, "this Slack user is not in the crisis kit")
    incident = session.scalars(
        select(Incident).where(Incident.id == notification.incident_id).with_for_update()
    ).one()
    try:
        answered = answer(
            session, incident=incident, person=person, kit=require_kit(session), at=runtime.now()
        )
    except (AnswerError, NoKit) as exc:
        raise Refused(403, str(exc)) from exc
    return incident.id, f"{action_id} by {person.key}: {', '.join(answered.roles)}"


def slack_router(
    *, runtime: Runtime, signing_secret: str | None, after_answer: Callable[[int], None]
) -> APIRouter:
    router = APIRouter()

    @router.post("/slack/interactivity")
    async def interactivity(request: Request, background: BackgroundTasks) -> dict[str, Any]:
        if signing_secret is None:
            raise HTTPException(503, "Slack interactivity is not configured (CELLULE_SLACK_SIGNING_SECRET)")
        try:
            body = verified_body(await request.body(), request.headers, SignatureVerifier(signing_secret))
            action_id, key, user = parse_action(body)
            replay_key = hashlib.sha256(body).hexdigest()
            with transaction(runtime.sessions) as session:
                if session.scalar(select(InboundAction.id).where(InboundAction.key == replay_key)):
                    return {"ok": True, "applied": False, "reason": "already applied"}
                incident_id, outcome = apply_answer(
                    session, action_id=action_id, key=key, slack_user=user, runtime=runtime
                )
                session.add(
                    InboundAction(key=replay_key, source="slack", received_at=runtime.now(), outcome=outcome)
                )
        except Refused as refused:
            raise HTTPException(refused.status, refused.reason) from None
        except IntegrityError:  # the same request raced in twice: the other one applied it
            return {"ok": True, "applied": False, "reason": "already applied"}
        background.add_task(after_answer, incident_id)
        return {"ok": True, "applied": True}

    return router
