"""The email channel, against a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from notifications import Delivery, DeliveryError, EmailChannel, render_message

ContextFactory = Callable[..., dict[str, Any]]
KEY = "incident:1/surround/legal_counsel/person:2"


def delivery(context: dict[str, Any], *, locale: str, address: str) -> Delivery:
    return Delivery(
        key=KEY,
        template="alert",
        locale=locale,
        address=address,
        is_drill=context["is_drill"],
        message=render_message("alert", locale, context),
    )


def test_an_alert_arrives_by_email_in_the_persons_language(  # type: ignore[no-untyped-def]
    smtp_server, email: EmailChannel, alert_context: ContextFactory
) -> None:
    french = delivery(alert_context(), locale="fr", address="alice@hotel-du-lac.example")
    english = delivery(
        alert_context(person_name="Bob Carter", role="legal_counsel"), locale="en", address="bob@law.example"
    )

    sent = [email.send(french), email.send(english)]

    alice, bob = smtp_server.mailbox.messages
    assert alice["To"] == "alice@hotel-du-lac.example"
    assert alice["From"] == "Cellule <cellule@hotel-du-lac.example>"
    assert alice["Subject"] == french.message.subject
    assert "Bonjour Alice Martin" in alice.get_content() and "Avis diffamatoire" in alice.get_content()
    assert bob["Subject"] == "CRI-2026-0001 · Crisis cell: we need you as legal counsel (Hôtel du Lac)"
    assert "Hello Bob Carter" in bob.get_content() and "Defamatory review" in bob.get_content()
    # A long Message-ID is folded onto its own line in transit: compare it unfolded.
    assert [alice["Message-ID"].strip(), bob["Message-ID"].strip()] == [r.provider_message_id for r in sent]
    assert alice["Message-ID"].endswith("@hotel-du-lac.example>")
    assert alice["X-Cellule-Key"] == KEY
    assert alice["Auto-Submitted"] == "auto-generated"
    assert sent[0].body == french.message.text


def test_a_drill_email_is_marked_as_an_exercise(smtp_server, email, alert_context) -> None:  # type: ignore[no-untyped-def]
    email.send(delivery(alert_context(is_drill=True), locale="fr", address="alice@hotel-du-lac.example"))

    [message] = smtp_server.mailbox.messages
    assert message["Subject"].startswith("EXERCICE —")
    assert message.get_content().startswith("EXERCICE —")
    assert message["X-Cellule-Drill"] == "yes"


def test_a_permanent_rejection_is_final(smtp_server, email, alert_context) -> None:  # type: ignore[no-untyped-def]
    smtp_server.mailbox.refuse_with = "550 5.1.1 No such user here"

    with pytest.raises(DeliveryError) as failure:
        email.send(delivery(alert_context(), locale="fr", address="nobody@hotel-du-lac.example"))

    assert not failure.value.retryable
    assert "550" in str(failure.value)
    assert smtp_server.mailbox.messages == []


def test_a_temporary_rejection_is_retryable(smtp_server, email, alert_context) -> None:  # type: ignore[no-untyped-def]
    smtp_server.mailbox.refuse_with = "451 4.7.1 Greylisted, try again later"

    with pytest.raises(DeliveryError) as failure:
        email.send(delivery(alert_context(), locale="fr", address="alice@hotel-du-lac.example"))

    assert failure.value.retryable


def test_an_unreachable_relay_is_retryable(closed_port: int, alert_context: ContextFactory) -> None:
    email = EmailChannel("127.0.0.1", closed_port, None, None, False, "cellule@localhost", timeout=2)

    with pytest.raises(DeliveryError) as failure:
        email.send(delivery(alert_context(), locale="fr", address="alice@hotel-du-lac.example"))

    assert failure.value.retryable


def test_an_address_that_would_inject_headers_is_refused(email, alert_context) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DeliveryError) as failure:
        email.send(
            delivery(alert_context(), locale="fr", address="alice@example.com\r\nBcc: all@example.com")
        )

    assert not failure.value.retryable


HOSTILE_TARGETS = [
    # An RFC 2047 encoded word that decodes to CR/LF: a forged Reply-To on the wire if decoded blindly.
    "Hôtel =?utf-8?q?=0D=0AReply-To:_attacker@evil.example?= du Lac",
    # The same, one layer deeper: the decoded text is itself an encoded word.
    "=?utf-8?q?=3D=3Futf-8=3Fq=3F=3D0D=3D0AX-Evil:_yes=3F=3D?=",
    # A line break that ends the header block early and pushes ours into the body.
    "=?utf-8?b?DQoNCkJvZHkgZnJvbSB0aGUgYXR0YWNrZXI=?=",
]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_a_target_name_cannot_forge_an_email_header(  # type: ignore[no-untyped-def]
    smtp_server, email: EmailChannel, alert_context: ContextFactory, target: str
) -> None:
    email.send(delivery(alert_context(target=target), locale="en", address="bob@law.example"))

    [raw] = smtp_server.mailbox.raw
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    names = [line.split(b":", 1)[0].lower() for line in head.splitlines() if line and not line[:1].isspace()]
    assert b"reply-to" not in names and b"x-evil" not in names
    assert sorted(set(names)) == sorted(names), "a header appears twice"
    assert set(names) <= {
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"auto-submitted",
        b"x-cellule-key",
        b"content-type",
        b"content-transfer-encoding",
        b"mime-version",
        b"x-peer",
        b"x-mailfrom",
        b"x-rcptto",
    }
    [message] = smtp_server.mailbox.messages
    assert "\r" not in message["Subject"] and "\n" not in message["Subject"]
    assert message["Subject"].startswith("CRI-2026-0001")
    assert message.get_content().startswith("Hello Alice Martin")  # our body, not the attacker's


def test_every_attempt_at_one_message_has_the_same_message_id(  # type: ignore[no-untyped-def]
    smtp_server, email: EmailChannel, alert_context: ContextFactory
) -> None:
    first = delivery(alert_context(), locale="en", address="bob@law.example")
    again = email.send(first), email.send(first)

    assert again[0].provider_message_id == again[1].provider_message_id
    other = Delivery(**{**vars(first), "key": "incident:1/surround/legal_counsel/person:3"})
    assert email.send(other).provider_message_id != again[0].provider_message_id
