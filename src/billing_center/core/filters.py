"""A holder list's filters: the search text every list validates alike, and the filters in the console's
URLs (the pager's links and the export link carry the same ones)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from billing_center.core.errors import ValidationFailed


def search_text(q: str | None, *, max_length: int, code: str) -> str | None:
    """The list's search text, stripped (None when blank); a longer one than ``max_length`` raises
    ValidationFailed on ``q`` with the list's ``code``."""
    q = (q or "").strip() or None
    if q is not None and len(q) > max_length:
        raise ValidationFailed(
            _("Search with at most %(max)d characters.") % {"max": max_length}, field="q", code=code
        )
    return q


def filter_params(filters: Mapping[str, Any]) -> dict[str, str]:
    """The filters that are set, as text (unset ones, None or "", are left out)."""
    return {key: str(value) for key, value in filters.items() if value not in (None, "")}


def filter_query(filters: Mapping[str, Any]) -> str:
    """The filters that are set, as a query string (without ``?``)."""
    return urlencode(filter_params(filters))


def next_page_url(filters: Mapping[str, Any], next_cursor: str | None) -> str:
    """``?<filters>&cursor=…`` of the next page; "" on the last page."""
    if not next_cursor:
        return ""
    return "?" + urlencode({**filter_params(filters), "cursor": next_cursor})
