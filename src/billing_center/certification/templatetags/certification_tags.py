"""``{% certification_line account %}``: the profile's one line about the enterprise certification
(the accounts app cannot import this app, its template can load the tag)."""

from __future__ import annotations

from typing import Any

from django import template

from billing_center.certification.selectors import certification_view

register = template.Library()


@register.inclusion_tag("certification/_profile_line.html")
def certification_line(account: Any) -> dict[str, Any]:
    return {"certification": certification_view(account=account)}
