"""The slash command: `/crise <target> | <text> [| <link>]` (or `/crisis`) reports an attack from Slack.

Verified with the Slack signing secret exactly like the buttons (`verified_body`), applied once (the body's
hash is recorded with the stored signal), answered within Slack's three seconds with an ephemeral message
naming the incident; the crisis protocol then runs in the background. The reporter is the kit's person
with that Slack user id, else `slack:<user id>`. Bad syntax gets the usage, and nothing is stored.
Everything typed in the command is outside text: escaped before it is shown back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cellule.reporting import Reported, report_attacks
from cellule.web.auth import Replayed, record_once
from cellule.web.errors import Refused, read_body
from cellule.web.slack import MAX_BODY_BYTES, verified_body
from flows.intake.reports import parse_report
from flows.lookups import person_by_slack_user
from flows.refusals import Refusal
from flows.runtime import Runtime
from models import transaction
from notifications import slack_escape
from notifications.render import slack_unescape

COMMANDS = {"/crise": "fr", "/crisis": "en"}
# With "escape channels, users and links" on, Slack sends a link as <https://…|label>: keep the URL.
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)(?:\|[^>]*)?>")
_URL = re.compile(r"https?://\S+")

MESSAGES = {
    "fr": {
        "usage": (
            "Usage : `/crise <cible> | <ce qui est écrit> [| <lien>]`\n"
            "Exemple : `/crise Hôtel des Lilas | Avis 1 étoile : « punaises partout » | https://g.co/kgs/x`"
        ),
        "opened": ":rotating_light: Incident *{ref}* ouvert pour {target}. La cellule de crise est alertée.",
        "joined": "Signal ajouté à l'incident *{ref}*, déjà ouvert pour {target}.",
        "known": "Déjà signalé : incident *{ref}*. Personne n'est alerté une seconde fois.",
        "replayed": "Cette commande a déjà été reçue ; rien n'a changé.",
        "invalid": "Signalement refusé, rien n'a été enregistré :\n{reasons}",
        "no_kit": "Aucun kit de crise n'est chargé : rien n'a été enregistré (`cellule kit load`).",
        "bad_kit": "Le kit de crise enregistré n'est plus valide : rien n'a été enregistré. Rechargez-le.",
    },
    "en": {
        "usage": (
            "Usage: `/crisis <target> | <what was written> [| <link>]`\n"
            "Example: `/crisis Hôtel des Lilas | 1-star review: “bedbugs everywhere” | https://g.co/kgs/x`"
        ),
        "opened": ":rotating_light: Incident *{ref}* opened about {target}. Alerting the crisis cell.",
        "joined": "Added to incident *{ref}*, already open about {target}.",
        "known": "Already reported: incident *{ref}*. Nobody is alerted again.",
        "replayed": "This command was already received; nothing changed.",
        "invalid": "Not recorded; nothing was stored:\n{reasons}",
        "no_kit": "No crisis kit is loaded: nothing was stored. Load one with `cellule kit load`.",
        "bad_kit": "The stored crisis kit no longer validates: nothing was stored. Load it again.",
    },
}


@dataclass(frozen=True)
class SlashCommand:
    command: str
    text: str
    user_id: str

    @property
    def locale(self) -> str:
        return COMMANDS.get(self.command, "en")


def parse_form(body: bytes) -> SlashCommand:
    """The fields Cellule uses from Slack's form-encoded slash command payload."""
    try:
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        return SlashCommand(form["command"][0], form.get("text", [""])[0], form["user_id"][0])
    except (KeyError, IndexError, UnicodeDecodeError) as exc:
        raise Refused(400, "not a Slack slash command payload") from exc


def parse_arguments(text: str) -> dict[str, str] | None:
    """`<target> | <text> [| <link>]` as report fields, or None when the syntax is not that."""
    plain = slack_unescape(_SLACK_LINK.sub(r"\1", text))
    parts = [part.strip() for part in plain.split("|")]
    url = None
    if len(parts) >= 3 and _URL.fullmatch(parts[-1]):
        url = parts.pop()
    target, *said = parts
    if not target or not any(said):
        return None
    fields = {"target": target, "text": " | ".join(said)}
    return fields | ({"url": url} if url else {})


def _reporter(session: Session, slack_user: str) -> str:
    person = person_by_slack_user(session, slack_user_id=slack_user)
    return person.key if person is not None else f"slack:{slack_user}"


def _ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


def _refusal(refusal: Refusal, say: dict[str, str]) -> dict[str, Any]:
    """The one mapping of flows' refusals for the slash command: an ephemeral message, in its language."""
    if refusal.kind in ("no_kit", "bad_kit"):
        return _ephemeral(say[refusal.kind])
    return _ephemeral(say["invalid"].format(reasons=slack_escape(str(refusal))) + "\n" + say["usage"])


def slash_router(
    *, runtime: Runtime, signing_secret: str | None, on_reported: Callable[[list[Reported]], None]
) -> APIRouter:
    router = APIRouter()

    def report(command: SlashCommand, fields: dict[str, str], replay_key: str) -> list[Reported]:
        with transaction(runtime.sessions) as session:
            reporter = _reporter(session, command.user_id)
        signal = parse_report(fields | {"reported_by": reporter})

        def receipt(session: Session) -> None:
            outcome = f"{command.command} by {reporter}"
            record_once(session, key=replay_key, source="slack", outcome=outcome, at=runtime.now())

        return report_attacks(runtime, [signal], source="slack", receipt=receipt)

    @router.post("/slack/commands")
    async def slash_command(request: Request, background: BackgroundTasks) -> dict[str, Any]:
        if signing_secret is None:
            raise HTTPException(503, "Slack commands are not configured (CELLULE_SLACK_SIGNING_SECRET)")
        try:
            raw = await read_body(request, MAX_BODY_BYTES)
            body = verified_body(raw, request.headers, SignatureVerifier(signing_secret))
            command = parse_form(body)
        except Refused as refused:
            raise HTTPException(refused.status, refused.reason) from None
        say = MESSAGES[command.locale]
        fields = parse_arguments(command.text)
        if fields is None:
            return _ephemeral(say["usage"])
        try:
            replay_key = hashlib.sha256(body).hexdigest()
            [outcome] = await run_in_threadpool(report, command, fields, replay_key)
        except Replayed:
            return _ephemeral(say["replayed"])
        except Refusal as refusal:
            return _refusal(refusal, say)
        if outcome.new_signal:
            background.add_task(on_reported, [outcome])
        state = "known" if not outcome.new_signal else "opened" if outcome.opened else "joined"
        return _ephemeral(say[state].format(ref=outcome.incident_ref, target=slack_escape(fields["target"])))

    return router
