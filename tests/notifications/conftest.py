"""Fixtures for the notifications package: a fake Slack Web API and a real SMTP server on loopback, and a
crisis scenario in the store (a defamatory review of a hotel, with a cell of two people).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from models import AttackType, Incident, IncidentStatus, Person, Severity, Target, transaction
from notifications import EmailChannel

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


# ── SMTP ────────────────────────────────────────────────────────────────────────────────────────────────


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts, and can be told to refuse recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # the bytes as received, to read headers as a mail client would
        self.refuse_with: str | None = None  # e.g. "550 5.1.1 No such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if self.refuse_with is not None:
            return self.refuse_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.raw.append(envelope.content)
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd), on a free port."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield SmtpServer(controller.hostname, controller.port, mailbox)
    controller.stop()


@pytest.fixture
def email(smtp_server: SmtpServer) -> EmailChannel:
    return EmailChannel(
        host=smtp_server.host,
        port=smtp_server.port,
        username=None,
        password=None,
        starttls=False,
        sender="Cellule <cellule@hotel-du-lac.example>",
        timeout=5,
    )


# ── The store ────────────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class HotelCrisis:
    """A defamatory review of the Hôtel du Lac: incident CRI-2026-0001 and two people who can be called."""

    incident_id: int
    alice_id: int  # French-speaking community manager, on Slack and email
    bob_id: int  # English-speaking legal counsel, email only


def _alert_context(**changes: Any) -> dict[str, Any]:
    """The context `alert` templates receive, as flows build it, with `changes` applied."""
    context: dict[str, Any] = {
        "ref": "CRI-2026-0001",
        "title": "Fake one-star review of the Hôtel du Lac",
        "attack_type": "defamatory_review",
        "severity": "high",
        "target": "Hôtel du Lac",
        "role": "community_manager",
        "person_name": "Alice Martin",
        "signal": {
            "platform": "google",
            "author": "Jean D.",
            "rating": 1,
            "text": "Dirty rooms, rude staff. Avoid!",
            "url": "https://maps.google.example/review/42",
        },
        "detected_at": "2026-03-14T09:12:00+00:00",
        "is_drill": False,
        "gaps": [],
    }
    return {**context, **changes}


def _room_context(**changes: Any) -> dict[str, Any]:
    """The context of the `room_summary` template, with `changes` applied."""
    context = _alert_context()
    del context["role"], context["person_name"]
    context["cell"] = [
        {"name": "Alice Martin", "role": "community_manager"},
        {"name": "Bob Carter", "role": "legal_counsel"},
    ]
    return {**context, **changes}


ContextFactory = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def alert_context() -> ContextFactory:
    return _alert_context


@pytest.fixture(scope="session")
def room_context() -> ContextFactory:
    return _room_context


@pytest.fixture
def defamatory_review_at_hotel(sessions: sessionmaker[Session]) -> HotelCrisis:
    with transaction(sessions) as session:
        target = Target(key="hotel-du-lac", name="Hôtel du Lac")
        session.add(target)
        session.flush()
        incident = Incident(
            ref="CRI-2026-0001",
            title="Fake one-star review of the Hôtel du Lac",
            attack_type=AttackType.DEFAMATORY_REVIEW,
            severity=Severity.HIGH,
            status=IncidentStatus.MOBILISING,
            target_id=target.id,
            last_signal_at=NOW,
            first_signal_at=NOW,
            detected_at=NOW,
        )
        alice = Person(
            key="alice",
            name="Alice Martin",
            locale="fr",
            email="alice@hotel-du-lac.example",
            slack_user_id="U0ALICE",
        )
        bob = Person(
            key="bob", name="Bob Carter", locale="en", timezone="Europe/London", email="bob@law.example"
        )
        session.add_all([incident, alice, bob])
        session.flush()
        return HotelCrisis(incident.id, alice.id, bob.id)
