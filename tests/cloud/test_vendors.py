"""The vendor registry, the 404 guard, `billing-center check`, and the shared nonce store."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from billing_center.cloud.checks import marketplace_vendors
from billing_center.cloud.vendors import configured_vendors, vendor_get, vendors
from billing_center.cloud.vendors._common import nonce_claim
from billing_center.core.ratelimit import limits_clear_all_for_tests

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/3"


def test_registry_holds_each_vendor_module():
    registered = vendors()
    assert {"aliyun", "huawei"} <= set(registered)
    huawei = vendor_get("huawei")
    assert huawei is not None and huawei.required_settings == ("HUAWEI_MARKETPLACE_ACCESS_KEY",)
    assert [pattern.name for pattern in huawei.urlpatterns()] == ["v2", "v1"]
    assert huawei.inbox_handler().__name__ == "process"
    assert vendor_get("nope") is None


def test_configured_follows_the_settings(settings):
    settings.ALIYUN_MARKETPLACE_KEY = ""
    settings.HUAWEI_MARKETPLACE_ACCESS_KEY = "k"
    assert "huawei" in configured_vendors() and "aliyun" not in configured_vendors()
    aliyun = vendor_get("aliyun")
    assert aliyun is not None and aliyun.missing_settings() == ["ALIYUN_MARKETPLACE_KEY"]


def test_check_reports_which_vendors_are_configured(settings):
    settings.ALIYUN_MARKETPLACE_KEY = "key"
    settings.HUAWEI_MARKETPLACE_ACCESS_KEY = "key"
    settings.HUAWEI_APIG_ACCESS_KEY = ""
    messages = {message.id: message for message in marketplace_vendors(None)}
    assert "billing_center.cloud.I_aliyun_on" in messages
    partial = messages["billing_center.cloud.W_huawei_partial"]
    assert "HUAWEI_APIG_ACCESS_KEY" in partial.msg
    settings.ALIYUN_MARKETPLACE_KEY = ""
    messages = {message.id: message for message in marketplace_vendors(None)}
    assert "ALIYUN_MARKETPLACE_KEY" in (messages["billing_center.cloud.I_aliyun_off"].hint or "")


def test_check_command_prints_the_vendors(settings):
    settings.ALIYUN_MARKETPLACE_KEY = "key"
    settings.HUAWEI_MARKETPLACE_ACCESS_KEY = ""
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    printed = out.getvalue() + err.getvalue()
    assert "Marketplace aliyun: configured." in printed
    assert "Marketplace huawei: not configured" in printed


@pytest.mark.django_db
def test_nonce_is_single_use_within_its_window():
    assert nonce_claim(vendor="huawei", nonce="n-1", window_seconds=120) is True
    assert nonce_claim(vendor="huawei", nonce="n-1", window_seconds=120) is False
    assert nonce_claim(vendor="aliyun", nonce="n-1", window_seconds=120) is True
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        assert nonce_claim(vendor="huawei", nonce="n-1", window_seconds=120) is True


@pytest.mark.django_db
def test_a_very_long_nonce_fits_the_store():
    assert nonce_claim(vendor="huawei", nonce="x" * 5000, window_seconds=120) is True
    assert nonce_claim(vendor="huawei", nonce="x" * 5000, window_seconds=120) is False


@pytest.mark.django_db
def test_nonce_store_is_shared_with_another_process(settings):
    # given the Redis store (one of the two shared stores; the other is the shared database)
    prefix = f"bc-test-nonce-{uuid.uuid4().hex[:8]}"
    settings.REDIS_URL = REDIS_URL
    settings.RATE_LIMIT_STORE = "redis"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": prefix}}
    try:
        # when this process takes a nonce
        assert nonce_claim(vendor="huawei", nonce="shared-nonce", window_seconds=120) is True
        # then another process sees it as used, and a fresh one as free
        script = (
            "import django; django.setup();"
            "from billing_center.cloud.vendors._common import nonce_claim;"
            "print(nonce_claim(vendor='huawei', nonce='shared-nonce', window_seconds=120),"
            " nonce_claim(vendor='huawei', nonce='other-nonce', window_seconds=120))"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "billing_center.settings",
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": prefix,
            "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}",
        }
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
        )
        assert result.stdout.split() == ["False", "True"]
    finally:
        limits_clear_all_for_tests()


def test_the_check_command_says_which_vendors_are_configured_and_other_commands_stay_quiet(settings):
    # given Alibaba Cloud is not configured
    from io import StringIO

    from django.core.checks import run_checks
    from django.core.management import call_command

    settings.ALIYUN_MARKETPLACE_KEY = ""
    out = StringIO()
    # when the operator runs `billing-center check`
    call_command("check", stdout=out)
    # then each vendor's state is told, with the setting that turns it on
    assert "Marketplace aliyun: not configured" in out.getvalue()
    assert "ALIYUN_MARKETPLACE_KEY" in out.getvalue()
    # and the system check that precedes every other command reports nothing about them
    assert not [message for message in run_checks(tags=["marketplaces"]) if "Marketplace" in message.msg]
