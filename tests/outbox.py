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
    """The 6-digit code of the newest message to ``to`` that holds one."""
    for message in outbox_messages(to):
        found = _CODE.search(message["body"])
        if found:
            return found.group(1)
    raise AssertionError(f"No code in the outbox for {to!r}")
