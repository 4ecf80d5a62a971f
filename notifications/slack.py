"""The Slack seam: the only module that talks to Slack's Web API, in the crisis cell's own verbs."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.metadata import Metadata
from slack_sdk.models.views import View

from notifications.channels import Delivery, DeliveryError, SendResult
from notifications.render import slack_escape, truncate

ROOM = "room"  # the route address meaning "the incident's channel", not a person
HEADER_MAX = 150  # Block Kit limits
SECTION_MAX = 3000
TOPIC_MAX = 250
# Slack's own transient failures; everything else (bad channel, bad token, missing scope) needs a person.
_TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
METADATA_EVENT = "cellule_notification"  # every message we post carries its outbox key under this event
HISTORY_LOOKBACK = 100  # messages read back when a send may already have happened
ALERT_BUTTONS = {"fr": ("Je prends", "Je ne peux pas"), "en": ("Acknowledge", "Can't take it")}
APPROVAL_BUTTONS = {"fr": ("Approuver", "Refuser"), "en": ("Approve", "Reject")}
# The templates that ask for an answer: their actions block id, the two buttons' action ids, their labels.
# Each button's value is the outbox key, which names the incident, the person (and the draft version).
REJECTION_FORM = "cellule_reject"  # the modal's callback id: its submission carries the comment
ANSWER_BUTTONS = {
    "alert": ("cellule_alert", ("ack", "decline"), ALERT_BUTTONS),
    "reminder": ("cellule_alert", ("ack", "decline"), ALERT_BUTTONS),
    "approval_request": ("cellule_approval", ("approve", "reject"), APPROVAL_BUTTONS),
    "approval_reminder": ("cellule_approval", ("approve", "reject"), APPROVAL_BUTTONS),
}


class SlackError(DeliveryError):
    """A Web API call Slack answered with an error; `error` is Slack's code, e.g. `channel_not_found`."""

    def __init__(self, error: str, status: int, *, retryable: bool, retry_after: float | None) -> None:
        super().__init__(f"slack: {error} (HTTP {status})", retryable=retryable, retry_after=retry_after)
        self.error = error


def make_slack_client(token: str, base_url: str) -> WebClient:
    """A Web API client for the bot token; `base_url` lets tests point it at a fake served on loopback."""
    return WebClient(token=token, base_url=base_url if base_url.endswith("/") else base_url + "/", timeout=15)


def room_name(ref: str) -> str:
    """A valid Slack channel name for an incident reference: `CRI-2026-0001` → `cri-2026-0001`."""
    name = re.sub(r"[^a-z0-9_-]+", "-", ref.lower()).strip("-")
    return name[:80] or "incident"


class SlackChannel:
    """Opens one channel per incident, invites the cell there, and reaches each person by direct message."""

    name = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def open_incident_room(self, ref: str, title: str) -> str:
        """Create the incident's channel, or find it if an earlier attempt already did; its id."""
        name = room_name(ref)
        try:
            channel_id = self._call(self.client.conversations_create, name=name)["channel"]["id"]
        except SlackError as exc:
            if exc.error != "name_taken":
                raise
            return self._find_channel(name)
        topic = slack_escape(truncate(f"{ref} · {title}", TOPIC_MAX))
        # The topic is a courtesy: a room without one still works, so its failure must not fail the alert.
        with contextlib.suppress(SlackError):
            self._call(self.client.conversations_setTopic, channel=channel_id, topic=topic)
        return channel_id

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> None:
        """Bring people into the incident's channel; someone already there is fine."""
        try:
            self._call(self.client.conversations_invite, channel=channel_id, users=list(user_ids))
        except SlackError as exc:
            if exc.error != "already_in_channel":
                raise

    def post_summary(
        self, channel_id: str, blocks: list[Block], text: str, *, metadata: Metadata | None = None
    ) -> str:
        """Post in the incident's channel; the provider message id `<channel>:<ts>`."""
        return self._post(channel_id, blocks, text, metadata)

    def send_direct(
        self, user_id: str, blocks: list[Block], text: str, *, metadata: Metadata | None = None
    ) -> str:
        """Direct-message one person; the provider message id `<dm channel>:<ts>`."""
        return self._post(self.open_direct(user_id), blocks, text, metadata)

    def open_direct(self, user_id: str) -> str:
        """The direct-message conversation with one person (Slack returns the same one every time)."""
        return self._call(self.client.conversations_open, users=[user_id])["channel"]["id"]

    def find_posted(self, channel_id: str, key: str) -> str | None:
        """The provider message id of a message already posted for outbox `key` in a channel, if any.

        Reads the channel's latest messages with their metadata (scopes `channels:history`,
        `groups:history`, `im:history`). Without those scopes we cannot look, and post again: a duplicate
        is better than a lost alert.
        """
        try:
            page = self._call(
                self.client.conversations_history,
                channel=channel_id,
                limit=HISTORY_LOOKBACK,
                include_all_metadata=True,
            )
        except SlackError as exc:
            if exc.retryable:
                raise
            return None
        for message in page.get("messages", []):
            metadata = message.get("metadata") or {}
            if (
                metadata.get("event_type") == METADATA_EVENT
                and metadata.get("event_payload", {}).get("key") == key
            ):
                return f"{channel_id}:{message['ts']}"
        return None

    def open_rejection_form(self, *, trigger_id: str, key: str, draft_label: str, locale: str) -> None:
        """A modal asking why a draft is rejected (a rejection always carries a comment)."""
        french = locale.startswith("fr")
        view = View(
            type="modal",
            callback_id=REJECTION_FORM,
            private_metadata=key,
            title=PlainTextObject(text=f"Refuser {draft_label}" if french else f"Reject {draft_label}"),
            submit=PlainTextObject(text="Refuser" if french else "Reject"),
            close=PlainTextObject(text="Annuler" if french else "Cancel"),
            blocks=[
                InputBlock(
                    block_id="comment",
                    label=PlainTextObject(
                        text="Pourquoi ? Que faut-il changer ?" if french else "Why? What must change?"
                    ),
                    element=PlainTextInputElement(action_id="comment", multiline=True, max_length=2000),
                )
            ],
        )
        self._call(self.client.views_open, trigger_id=trigger_id, view=view)

    def send(self, delivery: Delivery) -> SendResult:
        """Post a room summary in the incident's channel, or invite a person there and DM them."""
        blocks, metadata = build_blocks(delivery), _metadata(delivery)
        text = slack_escape(delivery.message.subject)  # the notification preview; mrkdwn, so escaped
        room = self._room_for(delivery)
        if delivery.address == ROOM:
            if room is None:
                raise DeliveryError("slack: a room message needs an incident", retryable=False)
            channel_id = room
        else:
            if room is not None:
                self.invite(room, [delivery.address])
            channel_id = self.open_direct(delivery.address)
        found = self.find_posted(channel_id, delivery.key) if delivery.maybe_delivered else None
        message_id = found or self._post(channel_id, blocks, text, metadata)
        return SendResult(message_id, room_id=room, body=delivery.message.slack_text)

    def _post(self, channel_id: str, blocks: list[Block], text: str, metadata: Metadata | None) -> str:
        reply = self._call(
            self.client.chat_postMessage, channel=channel_id, blocks=blocks, text=text, metadata=metadata
        )
        return f"{reply['channel']}:{reply['ts']}"

    def _room_for(self, delivery: Delivery) -> str | None:
        if delivery.room_id is not None or delivery.incident_ref is None:
            return delivery.room_id
        return self.open_incident_room(delivery.incident_ref, delivery.incident_title or "")

    def _find_channel(self, name: str) -> str:
        cursor = None
        while True:
            page = self._call(
                self.client.conversations_list,
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=200,
                cursor=cursor,
            )
            for channel in page["channels"]:
                if channel["name"] == name:
                    return channel["id"]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                # Taken by an archived channel, or one the bot cannot see: a person must rename or unarchive.
                raise DeliveryError(f"slack: channel #{name} exists but is not usable", retryable=False)

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        """Call one Web API method, turning Slack's failures into retryable or final `DeliveryError`s."""
        try:
            return method(**kwargs)
        except SlackApiError as exc:
            raise _api_error(exc) from exc
        except OSError as exc:  # connection refused, reset, timed out (urllib's URLError is an OSError)
            raise DeliveryError(f"slack: cannot reach the Web API ({exc})", retryable=True) from exc


def _api_error(exc: SlackApiError) -> SlackError:
    response = exc.response
    error = str(response.get("error", "unknown_error"))
    status = response.status_code
    return SlackError(
        error,
        status,
        retryable=status >= 500 or status == 429 or error in _TRANSIENT_ERRORS,
        retry_after=_seconds(response.headers.get("Retry-After") or response.headers.get("retry-after")),
    )


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def build_blocks(delivery: Delivery) -> list[Block]:
    """Block Kit for a message: header, the mrkdwn body, where it comes from, and the answer buttons."""
    message = delivery.message
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=_header_text(message.subject)))]
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=chunk, verbatim=True))
        for chunk in _chunks(message.slack_text, SECTION_MAX)
    ]
    source = slack_escape(f"Cellule · {delivery.incident_ref or delivery.key}")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=source, verbatim=True)]))
    if delivery.template in ANSWER_BUTTONS:
        block_id, (yes_action, no_action), labels = ANSWER_BUTTONS[delivery.template]
        yes, no = labels.get(delivery.locale, labels["en"])
        blocks.append(
            ActionsBlock(
                block_id=block_id,
                elements=[
                    ButtonElement(text=yes, action_id=yes_action, value=delivery.key, style="primary"),
                    ButtonElement(text=no, action_id=no_action, value=delivery.key),
                ],
            )
        )
    return blocks


def _header_text(subject: str) -> str:
    # A header is plain_text, which Slack never parses; angle brackets are swapped for look-alikes anyway
    # so that no raw `<!channel>` ever leaves Cellule, whatever Slack does with it later.
    return truncate(subject.replace("<", "‹").replace(">", "›"), HEADER_MAX)


def _chunks(text: str, size: int) -> list[str]:
    """Split mrkdwn into section-sized pieces at line breaks, never inside an `&lt;`-style entity."""
    pieces = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        if cut <= 0:
            cut = size
            amp = text.rfind("&", cut - 5, cut)  # entities are at most 5 characters long
            if amp != -1 and ";" not in text[amp:cut]:
                cut = amp
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text] if text else pieces


def _metadata(delivery: Delivery) -> Metadata:
    """Message metadata so any message in Slack can be traced back to its outbox row."""
    payload = {"key": delivery.key, "template": delivery.template, "is_drill": delivery.is_drill}
    return Metadata(event_type=METADATA_EVENT, event_payload=payload)
