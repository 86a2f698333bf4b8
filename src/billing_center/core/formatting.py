"""Localized display of amounts, date-times and relative times for the console's templates.

Amounts carry the currency's symbol and thousands separators in both languages (``¥3,163,135.04``,
``US$1,605,971.10``): the symbols are the unambiguous ones, so a Chinese and an English reader see the
same figure. Date-times are shown in the account's time zone with the zone written out; the zone
follows the account's region (mainland China → UTC+8, Hong Kong → UTC+8, else the site's TIME_ZONE).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

CURRENCY_SYMBOLS = {
    "CNY": "¥",
    "USD": "US$",
    "EUR": "€",
    "GBP": "£",
    "HKD": "HK$",
    "JPY": "JP¥",
    "SGD": "S$",
}
ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW"}

REGION_ZONES = {
    "cn-north": "Asia/Shanghai",
    "cn-east": "Asia/Shanghai",
    "cn-south": "Asia/Shanghai",
    "cn-west": "Asia/Shanghai",
    "hong-kong": "Asia/Hong_Kong",
}


def format_money(amount: Any, currency: str) -> str:
    """``¥3,163,135.04``; an unknown currency is written as its code: ``CHF 1,200.00``."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    code = (currency or "").upper()
    places = Decimal(1) if code in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    value = value.quantize(places, rounding=ROUND_HALF_UP)
    digits = f"{abs(value):,.{0 if places == 1 else 2}f}"
    symbol = CURRENCY_SYMBOLS.get(code)
    body = f"{symbol}{digits}" if symbol else f"{code} {digits}".strip()
    return f"-{body}" if value < 0 else body


def zone_for(account: Any) -> ZoneInfo:
    """The zone an account reads times in: the one chosen in its profile, else by its region, else the
    site's TIME_ZONE."""
    chosen = getattr(account, "time_zone", "") or ""
    if chosen:
        try:
            return ZoneInfo(chosen)
        except (ValueError, KeyError):  # a zone removed from the system's tz database since it was chosen
            pass
    region = getattr(account, "region", "") or ""
    return ZoneInfo(REGION_ZONES.get(region, settings.TIME_ZONE))


def zone_label(moment: datetime) -> str:
    """``UTC``, ``UTC+8``, ``UTC+5:30`` for the offset of an aware datetime."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_datetime(moment: datetime, zone: ZoneInfo, *, seconds: bool = False) -> str:
    """``2026-12-06 18:56 UTC+8``."""
    local = timezone.localtime(moment, zone) if timezone.is_aware(moment) else moment.replace(tzinfo=zone)
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{local.strftime(pattern)} {zone_label(local)}"


def format_relative(moment: datetime, now: datetime | None = None) -> str:
    """``just now``, ``2 minutes ago``, ``3 days ago`` (one unit, localized); future times say ``in …``."""
    now = now or timezone.now()
    delta = now - moment
    if abs(delta) < timedelta(minutes=1):
        return _("just now")
    if delta < timedelta(0):
        return _("in %(time)s") % {"time": timesince(now, moment, depth=1)}
    return _("%(time)s ago") % {"time": timesince(moment, now, depth=1)}
