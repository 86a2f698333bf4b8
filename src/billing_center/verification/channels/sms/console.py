from __future__ import annotations

import sys

from billing_center.verification.channels.sms.base import SmsBackend


class ConsoleSmsBackend(SmsBackend):
    """Prints each SMS to standard output (local use only: the body holds the code)."""

    def send(self, *, to: str, body: str, purpose: str, code: str | None = None) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")
        sys.stdout.flush()
