"""Read the local outbox from tests: ``from tests.outbox import latest_code, outbox_messages``."""

from __future__ import annotations

import re
from typing import Any

from billing_center.verification.channels.outbox import outbox_read

_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def outbox_messages(to: str | None = None) -> list[dict[str, Any]]:
    """Every outbox message (newest first), optionally only those sent to ``to``."""
    messages = outbox_read()
    if to is None:
        return messages
    wanted = to.strip().lower()
    return [message for message in messages if message["to"].lower() == wanted]


def latest_code(to: str) -> str:
    """The 6-digit code in the newest message to ``to`` (fails if that message holds no code)."""
    messages = outbox_messages(to)
    if not messages:
        raise AssertionError(f"No message in the outbox for {to!r}")
    found = _CODE.search(messages[0]["body"])
    if found is None:
        raise AssertionError(f"The newest message to {to!r} holds no code: {messages[0]['subject']!r}")
    return found.group(1)
