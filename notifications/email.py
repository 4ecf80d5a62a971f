"""The email channel: plain-text mail through an SMTP relay."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from notifications.channels import Delivery, DeliveryError, SendResult


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
            message["Subject"] = delivery.message.subject
        except ValueError as exc:
            raise DeliveryError(f"email: invalid header ({exc})", retryable=False) from exc
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = make_msgid(idstring="cellule", domain=_domain(self.sender))
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


def _rejected(code: int, reply: bytes | str) -> DeliveryError:
    """4xx replies are temporary (greylisting, full mailbox); 5xx are final for this address."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return DeliveryError(f"email: server replied {code} {text}", retryable=code < 500)


def _domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "localhost"
