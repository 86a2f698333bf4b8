from __future__ import annotations

from billing_center.verification.channels.outbox import outbox_append
from billing_center.verification.channels.sms.base import SmsBackend


class OutboxSmsBackend(SmsBackend):
    """Writes each SMS to the local outbox file (``/dev/outbox``)."""

    def send(self, *, to: str, body: str, purpose: str, code: str | None = None) -> None:
        outbox_append(channel="sms", to=to, subject="", body=body)
