"""Keyset (cursor) pagination: ``?cursor=&limit=`` → ``items`` and ``next_cursor``.

A cursor is an opaque, signed token holding the sort key of the last row served, so pages stay stable
while rows are added and a deep page costs the same as the first (no OFFSET).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from billing_center.core.errors import ValidationFailed

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_SIGNER_SALT = "billing_center.cursor"


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _encode(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    payload = json.dumps(plain, separators=(",", ":"))
    token = signing.Signer(salt=_SIGNER_SALT).sign(base64.urlsafe_b64encode(payload.encode()).decode())
    return token


def _decode(cursor: str) -> list[Any]:
    try:
        raw = signing.Signer(salt=_SIGNER_SALT).unsign(cursor)
        values = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ValidationFailed(_("The cursor is not valid."), field="cursor", code="invalid_cursor") from exc
    if not isinstance(values, list):
        raise ValidationFailed(_("The cursor is not valid."), field="cursor", code="invalid_cursor")
    return values


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed(
            _("limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT}, field="limit", code="invalid_limit"
        )
    return limit


def paginate_desc(
    queryset: QuerySet[Any], *, keys: tuple[str, ...], cursor: str | None, limit: int | None
) -> Page[Any]:
    """Newest first by ``keys`` (all descending; the last key must be unique, e.g. ``id``)."""
    size = clamp_limit(limit)
    ordered = queryset.order_by(*[f"-{key}" for key in keys])
    if cursor:
        values = _decode(cursor)
        if len(values) != len(keys):
            raise ValidationFailed(_("The cursor is not valid."), field="cursor", code="invalid_cursor")
        ordered = ordered.filter(_after(keys, values))
    rows = list(ordered[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = _encode([_key_value(rows[-1], key) for key in keys]) if has_more and rows else None
    return Page(items=rows, next_cursor=next_cursor)


def _key_value(row: Any, key: str) -> Any:
    value = row
    for part in key.split("__"):
        value = getattr(value, part)
    return value


def _after(keys: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after the cursor in descending order: (k1 < v1) OR (k1 = v1 AND k2 < v2) ...

    The redundant leading "k1 <= v1" lets the database start its index range scan at the cursor
    instead of filtering every newer row (PostgreSQL does not derive it from the OR by itself; measured
    on the contract list in bench/README.md: a deep page went from about 2 s to about 20 ms)."""
    condition = Q()
    for index, key in enumerate(keys):
        equal_prefix = Q(**{keys[i]: values[i] for i in range(index)})
        condition |= equal_prefix & Q(**{f"{key}__lt": values[index]})
    return Q(**{f"{keys[0]}__lte": values[0]}) & condition
