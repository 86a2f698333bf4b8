"""A console list's filters in its URLs: the pager's links and the export link carry the same ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode


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
