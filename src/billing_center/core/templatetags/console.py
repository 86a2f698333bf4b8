"""Template filters and tags of the console shell: ``money``, ``{% datetime %}``, ``{% relative %}`` and
``{% field_block %}`` (the body of ``_field.html``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


@register.simple_tag(takes_context=True)
def field_block(context: template.Context, field: Any) -> SafeString:
    """What ``_field.html`` wrote as a template (one labelled control, its help text and errors), in
    Python: the same bytes (``tests/core/test_field_block.py`` compares them on every console form), a
    fraction of the template's cost on each of the ~6 fields of a console form. Every value goes through
    ``render_value_in_context``, as a template's ``{{ … }}`` does."""

    def out(value: Any) -> str:
        return str(render_value_in_context(value, context))

    errors = field.errors
    checkbox = field.widget_type == "checkbox"
    parts = ['\n<div class="field', " has-error" if errors else "", " checkbox" if checkbox else "", '">\n  ']
    if checkbox:
        parts.append(f'\n    {out(field)} <label for="{out(field.id_for_label)}">{out(field.label)}</label>\n  ')
    else:
        optional = "" if field.field.required else f' <span class="muted optional">({out(gettext("optional"))})</span>'
        parts.append(
            f'\n    <label for="{out(field.id_for_label)}">{out(field.label)}{optional}</label>\n    {out(field)}\n  '
        )
    parts.append("\n  ")
    if field.help_text:
        parts.append(f'<p class="help muted" id="{out(field.auto_id)}_helptext">{out(field.help_text)}</p>')
    parts.append("\n  ")
    for counter, error in enumerate(errors, start=1):
        parts.append(
            f'<p class="error" role="alert" id="{out(field.auto_id)}_error{out(counter)}">{out(error)}</p>'
        )
    parts.append("\n</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above was escaped by render_value_in_context
