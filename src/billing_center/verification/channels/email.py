"""Email through Django's configured ``EMAIL_BACKEND`` (SMTP for real, the outbox for local use)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from billing_center.verification.channels.outbox import outbox_append


def email_send(*, to: str, subject: str, body: str, timeout: int | None = None) -> None:
    """Send one plain-text email; raises whatever the backend raises when it cannot."""
    connection = get_connection(fail_silently=False, timeout=timeout or settings.EMAIL_TIMEOUT)
    message = EmailMessage(subject=subject, body=body, to=[to], connection=connection)
    message.send(fail_silently=False)


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message to the local outbox file (``/dev/outbox``) instead of sending it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            body = message.body if isinstance(message.body, str) else str(message.body)
            for recipient in message.recipients():
                outbox_append(channel="email", to=recipient, subject=str(message.subject), body=body)
            sent += 1
        return sent
