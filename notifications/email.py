"""The email channel: plain-text mail through an SMTP relay."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from notifications.channels import Delivery, DeliveryError, SendResult

# What must never survive in a header's *decoded* value: line breaks (a forged header, or the end of the
# header block) and every other control character.
_HEADER_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class EmailChannel:
    """Sends each message as one plain-text email; one SMTP session per message keeps failures separate."""

    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        starttls: bool,
        sender: str,
        timeout: float = 15.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.sender = sender
        self.timeout = timeout

    def send(self, delivery: Delivery) -> SendResult:
        """Hand the message to the relay; the Message-ID we set is the provider message id."""
        message = self.compose(delivery)
        try:
            self._submit(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise _rejected(code, reply) from exc
        except smtplib.SMTPResponseException as exc:
            raise _rejected(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as exc:
            # The relay or its certificate is not what the settings promise: waiting will not fix it.
            raise DeliveryError(f"email: {exc}", retryable=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            reason = f"email: cannot reach {self.host}:{self.port} ({exc})"
            raise DeliveryError(reason, retryable=True) from exc
        return SendResult(provider_message_id=message["Message-ID"], body=delivery.message.text)

    def compose(self, delivery: Delivery) -> EmailMessage:
        """The email for a delivery; a malformed address (e.g. with a line break) is refused for good."""
        message = EmailMessage()
        try:
            message["From"] = self.sender
            message["To"] = delivery.address
        except ValueError as exc:
            raise DeliveryError(f"email: invalid header ({exc})", retryable=False) from exc
        _refuse_decoded_controls(message, "From", "To")
        set_text_header(message, "Subject", delivery.message.subject)
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = message_id(delivery.key, domain=_domain(self.sender))
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies into the outbox
        message["X-Cellule-Key"] = delivery.key
        if delivery.is_drill:
            message["X-Cellule-Drill"] = "yes"
        message.set_content(delivery.message.text)
        return message

    def _submit(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def message_id(key: str, *, domain: str) -> str:
    """The same Message-ID for every attempt at one outbox row, so a relay or a reader can drop a resend."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.cellule@{domain}>"


def set_text_header(message: EmailMessage, name: str, value: str) -> None:
    """Set an unstructured header from text that may hold outside words (a target's name in a subject).

    The email package decodes RFC 2047 encoded words when a header is set, so `=?utf-8?q?=0D=0AReply-To:…?=`
    would become a real line break on the wire. We read back what the package made of the value and replace
    every control character it decoded with a space, until nothing is left to decode.
    """
    for _ in range(4):  # each pass removes one layer of encoded words; real subjects need one
        del message[name]  # no-op when absent
        message[name] = value
        decoded = str(message[name])
        if not _HEADER_UNSAFE.search(decoded):
            return
        value = " ".join(_HEADER_UNSAFE.sub(" ", decoded).split())
    raise DeliveryError(f"email: the {name} header would carry control characters", retryable=False)


def _refuse_decoded_controls(message: EmailMessage, *names: str) -> None:
    """Addresses come from the kit, not from attackers; still, one that decodes to a line break is refused."""
    for name in names:
        if _HEADER_UNSAFE.search(str(message[name])):
            raise DeliveryError(f"email: invalid {name} address (control characters)", retryable=False)


def _rejected(code: int, reply: bytes | str) -> DeliveryError:
    """4xx replies are temporary (greylisting, full mailbox); 5xx are final for this address."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return DeliveryError(f"email: server replied {code} {text}", retryable=code < 500)


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"
