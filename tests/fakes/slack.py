"""A fake Slack Web API on loopback (pytest-httpserver), for every test that talks to Slack.

Registered as a plugin in tests/conftest.py: the `fake_slack` and `slack` fixtures are available anywhere.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from notifications import SlackChannel, make_slack_client

BOT_TOKEN = "xoxb-test-token"


# ── Fake Slack ───────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class SlackCall:
    method: str
    payload: dict[str, Any]  # the JSON body, or the form fields


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None
    times: int | None  # None: every call


@dataclass
class FakeSlack:
    """A small, stateful Slack Web API: channels, members, DMs and messages, with scripted failures.

    It answers the way Slack does: HTTP 200 with `{"ok": false, "error": ...}` for API errors, HTTP 429 with
    Retry-After when rate limited, and a non-JSON HTTP 5xx when Slack itself is down.
    """

    server: HTTPServer
    calls: list[SlackCall] = field(default_factory=list)
    channels: dict[str, str] = field(default_factory=dict)  # name → id
    members: dict[str, set[str]] = field(default_factory=dict)  # channel id → user ids
    failures: dict[str, list[_Failure]] = field(default_factory=dict)
    history: dict[str, list[dict[str, Any]]] = field(
        default_factory=dict
    )  # channel id → messages, oldest first
    answer_after: dict[str, float] = field(default_factory=dict)  # method → seconds before answering
    _answer_now: threading.Event = field(default_factory=threading.Event)
    page_size: int = 2  # small, so finding a channel has to follow the cursor

    METHODS = (
        "conversations.create",
        "conversations.setTopic",
        "conversations.list",
        "conversations.invite",
        "conversations.open",
        "chat.postMessage",
        "conversations.history",
        "views.open",
    )

    @property
    def base_url(self) -> str:
        return self.server.url_for("/api/")

    def install(self) -> None:
        for method in self.METHODS:
            handler = self._handler(method)
            self.server.expect_request(f"/api/{method}", method="POST").respond_with_handler(handler)

    def add_channel(self, name: str, channel_id: str) -> None:
        self.channels[name] = channel_id
        self.members[channel_id] = set()

    def fail(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        retry_after: int | None = None,
        times: int | None = None,
    ) -> None:
        """Make `method` fail with `error` (`times` calls, or every call)."""
        self.failures.setdefault(method, []).append(_Failure(error, status, retry_after, times))

    def answer_late(self, method: str, seconds: float) -> None:
        """Do what `method` asks, then wait `seconds` before answering (a client may time out first)."""
        self.answer_after[method] = seconds
        self._answer_now.clear()

    def answer_on_time(self) -> None:
        """Stop answering late, and send a late answer still waiting now."""
        self.answer_after.clear()
        self._answer_now.set()

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [call.payload for call in self.calls if call.method == method]

    def _handler(self, method: str) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            raw = request.get_data(as_text=True)
            payload = (
                json.loads(raw) if request.is_json else dict(parse_qsl(raw or request.query_string.decode()))
            )
            self.calls.append(SlackCall(method, payload))
            if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
                return _slack_json({"ok": False, "error": "invalid_auth"})
            failure = self._scripted_failure(method)
            if failure is not None:
                return failure
            answer = getattr(self, "_" + method.replace(".", "_"))(payload)
            if method in self.answer_after:
                self._answer_now.wait(self.answer_after[method])
            return _slack_json(answer)

        return handle

    def _scripted_failure(self, method: str) -> Response | None:
        for failure in self.failures.get(method, []):
            if failure.times is not None:
                if failure.times == 0:
                    continue
                failure.times -= 1
            if failure.status >= 500:
                return Response("upstream connect error", status=failure.status, content_type="text/plain")
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            return _slack_json({"ok": False, "error": failure.error}, status=failure.status, headers=headers)
        return None

    def _conversations_create(self, p: dict[str, Any]) -> dict[str, Any]:
        if p["name"] in self.channels:
            return {"ok": False, "error": "name_taken"}
        channel_id = f"C{len(self.channels) + 1:08d}"
        self.add_channel(p["name"], channel_id)
        return {"ok": True, "channel": {"id": channel_id, "name": p["name"], "is_channel": True}}

    def _conversations_setTopic(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": p["channel"], "topic": {"value": p["topic"]}}}

    def _conversations_list(self, p: dict[str, Any]) -> dict[str, Any]:
        listed = [{"id": cid, "name": name, "is_archived": False} for name, cid in self.channels.items()]
        start = int(p.get("cursor") or 0)
        end = start + self.page_size
        next_cursor = str(end) if end < len(listed) else ""
        return {"ok": True, "channels": listed[start:end], "response_metadata": {"next_cursor": next_cursor}}

    def _conversations_invite(self, p: dict[str, Any]) -> dict[str, Any]:
        if p["channel"] not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        users = set(p["users"].split(","))
        if users <= self.members[p["channel"]]:
            return {"ok": False, "error": "already_in_channel"}
        self.members[p["channel"]] |= users
        return {"ok": True, "channel": {"id": p["channel"]}}

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        dm = "D" + p["users"].removeprefix("U")
        self.members.setdefault(dm, {p["users"]})
        return {"ok": True, "channel": {"id": dm}}

    def _chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        if p["channel"] not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        ts = f"1773480600.{len(self.calls):06d}"
        message = {"type": "message", "text": p.get("text"), "ts": ts, "metadata": p.get("metadata")}
        self.history.setdefault(p["channel"], []).append(message)
        return {"ok": True, "channel": p["channel"], "ts": ts, "message": {"text": p.get("text"), "ts": ts}}

    def _conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        if p["channel"] not in self.members:
            return {"ok": False, "error": "channel_not_found"}
        newest_first = list(reversed(self.history.get(p["channel"], [])))[: int(p.get("limit") or 100)]
        with_metadata = str(p.get("include_all_metadata")).lower() in {"true", "1"}
        messages = [
            {key: value for key, value in m.items() if with_metadata or key != "metadata"}
            for m in newest_first
        ]
        return {"ok": True, "messages": messages, "has_more": False}

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = p["view"] if isinstance(p["view"], dict) else json.loads(p["view"])
        return {"ok": True, "view": {"id": "V0REJECT", **view}}


def _slack_json(
    body: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")


@pytest.fixture
def fake_slack(httpserver: HTTPServer) -> FakeSlack:
    fake = FakeSlack(httpserver)
    fake.add_channel("general", "C0GENERAL")
    fake.add_channel("random", "C0RANDOM")
    fake.install()
    return fake


@pytest.fixture
def slack(fake_slack: FakeSlack) -> SlackChannel:
    """The real Slack channel, through a real WebClient, talking to the fake on loopback."""
    return SlackChannel(make_slack_client(BOT_TOKEN, fake_slack.base_url))
