"""Two-factor services: enrolment, TOTP replay, recovery codes used once, throttling, disabling."""

from __future__ import annotations

import time

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing_center.accounts.services import two_factor as two_factor
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import RateLimited, ReauthenticationRequired, ValidationFailed
from tests.accounts.two_factor_support import enrol, totp_for, totp_now
from tests.factories import AccountFactory
from tests.outbox import outbox_messages

pytestmark = pytest.mark.django_db
META = RequestMeta(ip="203.0.113.7", user_agent="pytest")


def test_enrolment_confirms_with_a_first_code_and_returns_hashed_recovery_codes(
    django_capture_on_commit_callbacks,
):
    # given a holder who starts the set-up
    account = AccountFactory()
    device = two_factor.two_factor_setup_start(account=account)
    assert not two_factor.two_factor_enabled(account)
    # when the first code from the app is entered
    with django_capture_on_commit_callbacks(execute=True):
        codes = two_factor.two_factor_setup_confirm(account=account, code=totp_for(device), meta=META)
    # then two-factor is on, ten recovery codes come back once and only their hashes are stored
    assert two_factor.two_factor_enabled(account)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(StaticToken.objects.filter(device__user=account).values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & set(codes) and not stored & {code.replace("-", "") for code in codes}
    assert AuditEvent.objects.filter(event="two_factor.enabled", account=account).exists()
    assert "Two-factor authentication is on" in outbox_messages(account.email)[0]["subject"]


def test_enrolment_with_a_wrong_code_stays_off():
    account = AccountFactory()
    two_factor.two_factor_setup_start(account=account)
    with pytest.raises(ValidationFailed) as caught:
        two_factor.two_factor_setup_confirm(account=account, code="000000", meta=META)
    assert caught.value.code == "two_factor_invalid"
    assert not two_factor.two_factor_enabled(account)


def test_the_otpauth_uri_names_the_issuer_and_the_account():
    account = AccountFactory(username="issuercheck")
    device = two_factor.two_factor_setup_start(account=account)
    assert device.config_url.startswith("otpauth://totp/Billing%20Center%3Aissuercheck?secret=")


def test_a_totp_code_verifies_once_and_its_replay_is_refused():
    # given an account with two-factor on and the current code
    account = AccountFactory()
    enrol(account)
    code = totp_now(account)
    # when it is used, then it works
    assert two_factor.two_factor_verify(account=account, code=code, meta=META) == "totp"
    # when the same code is sent again inside its window, then it is refused
    with pytest.raises(ValidationFailed) as caught:
        two_factor.two_factor_verify(account=account, code=code, meta=META)
    assert caught.value.code == "two_factor_invalid"
    # and a code of an earlier step is refused too
    earlier = totp_now(account, at=time.time() - 30)
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_verify(account=account, code=earlier, meta=META)


def test_the_next_step_code_works_after_one_was_used():
    account = AccountFactory()
    enrol(account)
    device = TOTPDevice.objects.get(user=account)
    assert two_factor.two_factor_verify(account=account, code=totp_now(account), meta=META) == "totp"
    device.refresh_from_db()
    next_step = totp_for(device, at=time.time() + 30)
    assert two_factor.two_factor_verify(account=account, code=next_step, meta=META) == "totp"


def test_a_recovery_code_works_once_in_any_spelling():
    account = AccountFactory()
    codes = enrol(account)
    spelled = codes[0].upper().replace("-", " ")
    assert two_factor.two_factor_verify(account=account, code=spelled, meta=META) == "recovery"
    assert two_factor.recovery_codes_left(account) == 9
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_verify(account=account, code=codes[0], meta=META)
    assert AuditEvent.objects.filter(event="two_factor.recovery_code_used", account=account).count() == 1


def test_one_accounts_recovery_code_does_not_work_for_another():
    first, second = AccountFactory(), AccountFactory()
    codes = enrol(first)
    enrol(second)
    with pytest.raises(ValidationFailed):
        two_factor.two_factor_verify(account=second, code=codes[0], meta=META)


def test_wrong_codes_are_throttled_per_account_and_network(settings):
    # given a limit of 3 wrong codes
    settings.TWO_FACTOR_FAILURES_PER_15_MINUTES = 3
    account = AccountFactory()
    enrol(account)
    for _attempt in range(3):
        with pytest.raises(ValidationFailed):
            two_factor.two_factor_verify(account=account, code="123456", meta=META)
    # when one more is tried, even with the right code, then it is refused with Retry-After
    with pytest.raises(RateLimited) as caught:
        two_factor.two_factor_verify(account=account, code=totp_now(account), meta=META)
    assert caught.value.retry_after and caught.value.retry_after > 0
    # and another network is not locked out by these failures
    elsewhere = RequestMeta(ip="198.51.100.9")
    assert two_factor.two_factor_verify(account=account, code=totp_now(account), meta=elsewhere) == "totp"
    assert AuditEvent.objects.filter(event="two_factor.failed", account=account).count() == 3


def test_disable_needs_reauthentication_and_notifies(django_capture_on_commit_callbacks):
    account = AccountFactory()
    enrol(account)
    with pytest.raises(ReauthenticationRequired):
        two_factor.two_factor_disable(account=account, reauthenticated=False, meta=META)
    assert two_factor.two_factor_enabled(account)
    with django_capture_on_commit_callbacks(execute=True):
        two_factor.two_factor_disable(account=account, reauthenticated=True, meta=META)
    assert not two_factor.two_factor_enabled(account)
    assert not StaticToken.objects.filter(device__user=account).exists()
    assert AuditEvent.objects.filter(event="two_factor.disabled", account=account).exists()
    assert "Two-factor authentication is off" in outbox_messages(account.email)[0]["subject"]
