"""The holder's own text fields (enterprise name, industry, region, introduction, contact name, time
zone): one
cleaner for sign-up and the profile, so both accept and refuse the same values."""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo

from django.conf import settings
from django.utils.translation import gettext as _

from billing_center.core.errors import ValidationFailed

PROFILE_FIELDS = ("enterprise_name", "industry", "region", "introduction", "contact_name", "time_zone")
MAX_LENGTHS = {"enterprise_name": 100, "introduction": 500, "contact_name": 50}
# Free text keeps its line breaks here; every other field is one line with its white space folded.
MULTILINE_FIELDS = frozenset({"introduction"})
REQUIRED_FIELDS = frozenset({"enterprise_name"})


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _choices(field: str) -> list[str] | None:
    return {"industry": settings.INDUSTRIES, "region": settings.REGIONS}.get(field)


def field_clean(field: str, value: str | None) -> str:
    """The stored form of one profile field, or ValidationFailed on ``field``: control characters
    (other than line breaks and tabs), a missing enterprise name, too long, or not one of the choices."""
    raw = value or ""
    if any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in raw):
        raise ValidationFailed(_("Remove the control characters."), field=field, code="invalid_characters")
    text = raw.strip() if field in MULTILINE_FIELDS else " ".join(raw.split())
    if field in REQUIRED_FIELDS and not text:
        raise ValidationFailed(_("Enter the enterprise name."), field=field, code="required")
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(text) > limit:
        raise ValidationFailed(
            _("Use at most %(max)d characters.") % {"max": limit}, field=field, code="too_long"
        )
    if field == "time_zone" and text and text not in _time_zones():
        raise ValidationFailed(_("Choose a time zone such as Asia/Shanghai or UTC."), field=field, code="invalid_choice")
    allowed = _choices(field)
    if allowed is not None and text and text not in allowed:
        raise ValidationFailed(_("Choose one of the listed values."), field=field, code="invalid_choice")
    return text
