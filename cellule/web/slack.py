"""Slack interactivity: the buttons on Cellule's messages, and the rejection form.

- "I take it" / "I can't" on an alert or a reminder: the person's answer to the call.
- "Approve" on an approval request: a decision on the draft version the message showed.
- "Reject" opens a form (a Slack modal) asking why; its submission is the rejection with its comment.

Every request is verified with the Slack signing secret (slack_sdk's SignatureVerifier: a bad signature, or
a timestamp more than five minutes away, is refused with 401 and changes nothing). A verified request is
applied once: its body's hash is recorded in the same transaction as its effect, so a replay changes
nothing. Only a person of the incident's cell can answer for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cellule.web.errors import Refused, read_body, refused
from flows.intake.receipts import receive_once
from flows.kit.loading import require_kit
from flows.lookups import draft_by_label, message_by_key, person_by_slack_user
from flows.quorum import approve_draft, reject_draft
from flows.refusals import Refusal
from flows.runtime import Runtime
from flows.surround.answers import acknowledge, decline
from models import Draft, Incident, transaction
from notifications import REJECTION_FORM, DeliveryError, SlackChannel

MAX_BODY_BYTES = 64_000  # Slack's interaction payloads are a few kilobytes


def verified_body(request_body: bytes, headers: Any, verifier: SignatureVerifier) -> bytes:
    """The body, if Slack signed it within the last five minutes; otherwise `Refused` (401)."""
    try:
        valid = verifier.is_valid(
            request_body, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
        )
    except ValueError:  # a timestamp that is not a number
        valid = False
    if not valid:
        raise Refused(401, "invalid or stale Slack signature")
    return request_body


def parse_payload(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(parse_qs(body.decode("utf-8"))["payload"][0])
    except (KeyError, IndexError, ValueError, UnicodeDecodeError) as exc:
        raise Refused(400, "not a Slack interaction payload") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), dict):
        raise Refused(400, "not a Slack interaction payload")
    return payload


class Interaction:
    """One verified click or form submission, resolved against the store in the caller's transaction."""

    def __init__(self, session: Session, runtime: Runtime, *, key: str, slack_user: str) -> None:
        self.session, self.runtime = session, runtime
        self.notification = message_by_key(session, key=key)
        if self.notification is None or self.notification.incident_id is None:
            raise Refused(404, "this message is not one of Cellule's")
        person = person_by_slack_user(session, slack_user_id=slack_user)
        if person is None:
            raise Refused(403, "this Slack user is not in the crisis kit")
        self.person = person
        self.incident = session.get_one(Incident, self.notification.incident_id, with_for_update=True)

    def answer(self, action_id: str) -> str:
        answer = acknowledge if action_id == "ack" else decline
        kit = require_kit(self.session)
        answered = answer(
            self.session, incident=self.incident, person=self.person, kit=kit, at=self.runtime.now()
        )
        return f"{action_id} by {self.person.key}: {', '.join(answered.roles)}"

    def draft(self) -> tuple[Draft, int]:
        """The draft and the version the message showed the person."""
        context = self.notification.context if self.notification else {}
        try:
            label, version = str(context["draft"]), int(context["version"])
        except (KeyError, ValueError) as exc:
            raise Refused(400, "this message is not about a draft") from exc
        return draft_by_label(self.session, incident=self.incident, label=label, for_update=True), version

    def decide(self, *, approve: bool, comment: str | None = None) -> str:
        draft, version = self.draft()
        common = {
            "draft": draft,
            "person": self.person,
            "at": self.runtime.now(),
            "version": version,
            "available": self.runtime.available_channels,
        }
        if approve:
            approve_draft(self.session, **common)
        else:
            reject_draft(self.session, comment=comment or "", **common)
        return f"{'approve' if approve else 'reject'} {draft.label} v{version} by {self.person.key}"


def slack_router(
    *, runtime: Runtime, signing_secret: str | None, after_answer: Callable[[int], None]
) -> APIRouter:
    router = APIRouter()

    def apply_once(body: bytes, act: Callable[[Session], tuple[int, str]]) -> int | None:
        """Run `act` and record the request in one transaction; None if this request was applied before."""
        replay_key = hashlib.sha256(body).hexdigest()
        try:
            with transaction(runtime.sessions) as session:
                receipt = receive_once(session, key=replay_key, source="slack", at=runtime.now())
                if receipt is None:
                    return None
                incident_id, receipt.outcome = act(session)
        except Refusal as refusal:  # nothing applied, the receipt rolled back with the rest
            raise refused(refusal) from refusal
        return incident_id

    def on_click(payload: dict[str, Any], body: bytes, background: BackgroundTasks) -> dict[str, Any]:
        try:
            action = payload["actions"][0]
            action_id, key, user = str(action["action_id"]), str(action["value"]), str(payload["user"]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise Refused(400, "not a Slack button click") from exc
        if action_id == "reject":
            return open_rejection_form(payload, key, user)
        if action_id not in ("ack", "decline", "approve"):
            raise Refused(400, f"unknown action {action_id!r}")

        def act(session: Session) -> tuple[int, str]:
            click = Interaction(session, runtime, key=key, slack_user=user)
            outcome = click.decide(approve=True) if action_id == "approve" else click.answer(action_id)
            return click.incident.id, outcome

        incident_id = apply_once(body, act)
        if incident_id is None:
            return {"ok": True, "applied": False, "reason": "already applied"}
        background.add_task(after_answer, incident_id)
        return {"ok": True, "applied": True}

    def open_rejection_form(payload: dict[str, Any], key: str, user: str) -> dict[str, Any]:
        slack = runtime.channels.get("slack")
        if not isinstance(slack, SlackChannel):
            raise Refused(503, "Slack is not configured for this Cellule")
        with transaction(runtime.sessions) as session:  # checks only: the rejection comes with the form
            click = Interaction(session, runtime, key=key, slack_user=user)
            draft, _ = click.draft()
            label, locale = draft.label, click.person.locale
        try:
            slack.open_rejection_form(
                trigger_id=str(payload.get("trigger_id", "")), key=key, draft_label=label, locale=locale
            )
        except DeliveryError as exc:
            raise Refused(502, f"Slack did not open the form: {exc}") from exc
        return {"ok": True, "applied": False, "reason": "form opened"}

    def on_form(payload: dict[str, Any], body: bytes, background: BackgroundTasks) -> dict[str, Any]:
        view = payload.get("view") or {}
        if view.get("callback_id") != REJECTION_FORM:
            raise Refused(400, "unknown form")
        key, user = str(view.get("private_metadata", "")), str(payload["user"].get("id", ""))
        comment = str(
            view.get("state", {}).get("values", {}).get("comment", {}).get("comment", {}).get("value") or ""
        )

        def act(session: Session) -> tuple[int, str]:
            click = Interaction(session, runtime, key=key, slack_user=user)
            return click.incident.id, click.decide(approve=False, comment=comment)

        try:
            incident_id = apply_once(body, act)
        except Refused as refused:  # shown in the form, next to the comment, so the person can act on it
            return {"response_action": "errors", "errors": {"comment": refused.reason[:150]}}
        if incident_id is not None:
            background.add_task(after_answer, incident_id)
        return {}

    def handle(body: bytes, headers: Any, background: BackgroundTasks) -> dict[str, Any]:
        assert signing_secret is not None
        body = verified_body(body, headers, SignatureVerifier(signing_secret))
        payload = parse_payload(body)
        try:
            if payload.get("type") == "view_submission":
                return on_form(payload, body, background)
            return on_click(payload, body, background)
        except Refusal as refusal:  # the one mapping of flows' refusals for Slack's buttons
            raise refused(refusal) from refusal

    @router.post("/slack/interactivity")
    async def interactivity(request: Request, background: BackgroundTasks) -> dict[str, Any]:
        if signing_secret is None:
            raise HTTPException(503, "Slack interactivity is not configured (CELLULE_SLACK_SIGNING_SECRET)")
        try:
            body = await read_body(request, MAX_BODY_BYTES)
            # The store and Slack calls block: keep them off the event loop.
            return await run_in_threadpool(handle, body, request.headers, background)
        except Refused as refused:
            raise HTTPException(refused.status, refused.reason) from None

    return router
