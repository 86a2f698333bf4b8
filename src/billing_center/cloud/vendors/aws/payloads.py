"""Checks shared by the AWS channels: what the database can store, and times AWS can mean."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

MIN_YEAR = 2000
MAX_YEAR = 9998


class DeliveryRejected(Exception):
    """A delivery on an AWS channel that is not a valid one for us; ``reason`` is a short stable word for logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def json_object(body: bytes, rejected: type[DeliveryRejected]) -> dict[str, Any]:
    """The body as a JSON object the database can store; anything else raises ``rejected("not_json")``."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise rejected("not_json") from None
    if not isinstance(data, dict) or not storable(data):
        raise rejected("not_json")
    return data


def storable(data: Any) -> bool:
    """JSON the database can keep: no NUL and no lone surrogate (PostgreSQL's jsonb refuses both)."""
    try:
        text = json.dumps(data, ensure_ascii=False)
        text.encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return False
    return "\x00" not in text and "\\u0000" not in text


def parse_utc(value: Any) -> datetime | None:
    """An ISO 8601 time with an offset (``Z`` accepted) as UTC; None for anything else or a far-off year."""
    if not isinstance(value, str) or not value.isascii() or len(value) > 40:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if stamp.tzinfo is None:
            return None
        stamp = stamp.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return stamp if MIN_YEAR <= stamp.year <= MAX_YEAR else None
