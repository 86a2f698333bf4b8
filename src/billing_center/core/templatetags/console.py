"""Template filters and tags of the console shell: ``money``, ``{% datetime %}`` and ``{% relative %}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from billing_center.core.formatting import format_datetime, format_money, format_relative, zone_for

register = template.Library()


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """``{{ contract.amount|money:contract.currency }}`` → ``¥3,163,135.04``."""
    return format_money(amount, currency)


def _zone(context: template.Context) -> Any:
    request = context.get("request")
    return zone_for(getattr(request, "user", None))


@register.simple_tag(takes_context=True)
def datetime_tz(context: template.Context, moment: datetime | None, seconds: bool = False) -> SafeString | str:
    """``{% datetime_tz event.created_at %}`` → ``<time datetime="…">2026-12-06 18:56 UTC+8</time>``."""
    if moment is None:
        return "-"
    return format_html(
        '<time datetime="{}">{}</time>', moment.isoformat(), format_datetime(moment, _zone(context), seconds=seconds)
    )


@register.simple_tag(takes_context=True)
def relative(context: template.Context, moment: datetime | None) -> SafeString | str:
    """``{% relative session.last_seen_at %}`` → ``<time … title="2026-12-06 18:56 UTC+8">2 minutes ago</time>``."""
    if moment is None:
        return "-"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        format_datetime(moment, _zone(context)),
        format_relative(moment),
    )
