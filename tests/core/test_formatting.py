from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from billing_center.core.formatting import format_datetime, format_money, format_relative, zone_for

UTC = dt.UTC


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("3163135.04"), "CNY", "¥3,163,135.04"),
        (Decimal("1605971.1"), "USD", "US$1,605,971.10"),
        (Decimal("0.005"), "CNY", "¥0.01"),
        (Decimal("-1200"), "EUR", "-€1,200.00"),
        (Decimal("1500000"), "JPY", "JP¥1,500,000"),
        (Decimal("99.5"), "chf", "CHF 99.50"),
        ("not a number", "CNY", ""),
    ],
)
def test_money_has_symbol_and_separators(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_money_reads_the_same_in_both_languages():
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert format_money(Decimal("3163135.04"), "CNY") == "¥3,163,135.04"


def test_times_are_shown_in_the_region_zone_with_the_zone_written_out(settings):
    # given a moment in UTC and accounts in East China, Hong Kong and elsewhere
    settings.TIME_ZONE = "UTC"
    moment = dt.datetime(2026, 12, 6, 18, 56, 30, tzinfo=UTC)
    east, hong_kong, europe = (SimpleNamespace(region=region) for region in ("cn-east", "hong-kong", "europe"))
    # then each reads it in its own zone
    assert format_datetime(moment, zone_for(east)) == "2026-12-07 02:56 UTC+8"
    assert format_datetime(moment, zone_for(hong_kong), seconds=True) == "2026-12-07 02:56:30 UTC+8"
    assert format_datetime(moment, zone_for(europe)) == "2026-12-06 18:56 UTC"
    assert format_datetime(moment, ZoneInfo("Asia/Kolkata")) == "2026-12-07 00:26 UTC+5:30"
    assert zone_for(None) == ZoneInfo("UTC")


def test_a_time_zone_chosen_in_the_profile_wins_over_the_region(settings):
    # given a holder in East China who chose Berlin, and one whose stored zone no longer exists
    settings.TIME_ZONE = "UTC"
    moment = dt.datetime(2026, 12, 6, 18, 56, 30, tzinfo=UTC)
    berlin = SimpleNamespace(region="cn-east", time_zone="Europe/Berlin")
    gone = SimpleNamespace(region="cn-east", time_zone="Atlantis/Capital")
    # then the chosen zone is used, and an unknown one falls back to the region
    assert format_datetime(moment, zone_for(berlin)) == "2026-12-06 19:56 UTC+1"
    assert format_datetime(moment, zone_for(gone)) == "2026-12-07 02:56 UTC+8"


def _plain(text: str) -> str:
    return text.replace("\xa0", " ")  # timesince keeps number and unit together with a no-break space


def test_relative_times_in_both_languages():
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    assert _plain(format_relative(now - dt.timedelta(seconds=20), now)) == "just now"
    assert _plain(format_relative(now - dt.timedelta(minutes=2, seconds=5), now)) == "2 minutes ago"
    assert _plain(format_relative(now - dt.timedelta(days=3, hours=5), now)) == "3 days ago"
    assert _plain(format_relative(now + dt.timedelta(hours=2), now)) == "in 2 hours"
    with translation.override("zh-hans"):
        assert _plain(format_relative(now - dt.timedelta(minutes=2), now)) == "2 分钟前"
        assert _plain(format_relative(now - dt.timedelta(seconds=5), now)) == "刚刚"


def test_template_tags_render_time_elements():
    # given a request of an East China account
    request = SimpleNamespace(user=SimpleNamespace(region="cn-east"))
    moment = dt.datetime(2026, 12, 6, 1, 2, tzinfo=UTC)
    template = Template("{% load console %}{{ amount|money:'USD' }} {% datetime_tz moment %} {% datetime_tz none %}")
    # when rendered, then the amount, the zoned time in a <time> element and a dash for nothing
    html = template.render(Context({"request": request, "amount": Decimal("12.5"), "moment": moment, "none": None}))
    assert html == 'US$12.50 <time datetime="2026-12-06T01:02:00+00:00">2026-12-06 09:02 UTC+8</time> -'
