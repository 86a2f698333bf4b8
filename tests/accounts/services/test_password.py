"""Password change and set (SPEC §3 Password), service level."""

from __future__ import annotations

import pytest

from billing_center.accounts.models import Account
from billing_center.accounts.services import login_code_request, login_with_code
from billing_center.accounts.services.password import password_change, password_set
from billing_center.audit.models import AuditEvent
from billing_center.core.errors import Conflict, RateLimited, ReauthenticationRequired, ValidationFailed
from tests.accounts.settings_support import (
    META,
    can_log_in,
    has_code,
    live_session_keys,
    logged_in_client,
    messages_to,
    session_key_of,
    use_outbox_email,
)
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a quiet meadow under seven moons"


@pytest.fixture(autouse=True)
def _outbox(settings):
    use_outbox_email(settings)


def change(
    account: Account, current: str = DEFAULT_PASSWORD, new: str = NEW_PASSWORD, keep: str | None = None
):
    return password_change(
        account=account, current_password=current, new_password=new, keep_session_key=keep, meta=META
    )


def test_change_with_the_current_password_ends_other_sessions_voids_codes_and_notifies():
    # given a holder logged in on two devices, with a login code outstanding
    account = AccountFactory()
    this_device, other_device = logged_in_client(account), logged_in_client(account)
    login_code_request(identifier=account.email, language="en", meta=META)
    outstanding = latest_code(account.email)
    # when they change the password from one device
    change(account, keep=session_key_of(this_device))
    # then the new password logs in, the old one does not
    assert can_log_in(account.username, NEW_PASSWORD)
    assert not can_log_in(account.username, DEFAULT_PASSWORD)
    # and the other session ended, the outstanding code is void, a notice (no code) went to the email
    assert live_session_keys(account) == {session_key_of(this_device)}
    assert session_key_of(other_device) not in live_session_keys(account)
    with pytest.raises(ValidationFailed):
        login_with_code(identifier=account.email, code=outstanding, meta=META)
    notice = messages_to(account.email)[0]
    assert "password" in notice["subject"].lower() and not has_code(notice)
    assert AuditEvent.objects.filter(event="password.changed", account=account).count() == 1


def test_a_wrong_current_password_is_refused():
    # given a holder
    account = AccountFactory()
    # when they give a wrong current password
    with pytest.raises(ValidationFailed) as caught:
        change(account, current="not my password at all")
    # then it is refused on that field and the password is unchanged
    assert caught.value.code == "wrong_password" and caught.value.field == "current_password"
    assert can_log_in(account.username, DEFAULT_PASSWORD)


def test_wrong_current_passwords_are_rate_limited():
    # given a holder who typed ten wrong current passwords
    account = AccountFactory()
    for _ in range(10):
        with pytest.raises(ValidationFailed):
            change(account, current="still not my password")
    # when they try once more, even with the right one
    with pytest.raises(RateLimited) as caught:
        change(account, current="yet another wrong guess")
    # then they must wait
    assert caught.value.retry_after


def test_the_new_password_must_differ():
    # given a holder
    account = AccountFactory()
    # when the new password equals the current one
    with pytest.raises(ValidationFailed) as caught:
        change(account, new=DEFAULT_PASSWORD)
    # then it is refused
    assert caught.value.code == "password_unchanged"


@pytest.mark.parametrize(
    ("new_password", "why"),
    [
        ("too short", "short"),
        ("q1w2e3r4t5y6", "common"),
        ("holder-special-{username}-2024", "context"),
        ("x" * 129, "long"),
    ],
)
def test_the_new_password_follows_the_policy(new_password, why):
    # given a holder
    account = AccountFactory()
    # when the new password breaks the policy (too short, common, contains the username, too long)
    with pytest.raises(ValidationFailed) as caught:
        change(account, new=new_password.format(username=account.username))
    # then it is refused on the new-password field and nothing changed
    assert caught.value.field == "new_password", why
    assert can_log_in(account.username, DEFAULT_PASSWORD)


def test_a_passwordless_account_sets_a_password_only_after_reauthentication():
    # given an account created without a password
    account = AccountFactory(password="")
    assert not account.has_usable_password()
    # when it tries to "change" or to set one without a fresh re-authentication
    with pytest.raises(Conflict):
        change(account, current="")
    with pytest.raises(ReauthenticationRequired):
        password_set(
            account=account,
            new_password=NEW_PASSWORD,
            reauthenticated=False,
            keep_session_key=None,
            meta=META,
        )
    # then with one, the password is set and logs in
    password_set(
        account=account, new_password=NEW_PASSWORD, reauthenticated=True, keep_session_key=None, meta=META
    )
    assert Account.objects.get(pk=account.pk).has_usable_password()
    assert can_log_in(account.username, NEW_PASSWORD)
    assert AuditEvent.objects.filter(event="password.set", account=account).exists()


def test_an_account_with_a_password_cannot_use_set():
    # given an account with a password
    account = AccountFactory()
    # when it calls "set password"
    with pytest.raises(Conflict) as caught:
        password_set(
            account=account, new_password=NEW_PASSWORD, reauthenticated=True, keep_session_key=None, meta=META
        )
    # then it must use "change" (which needs the current password)
    assert caught.value.code == "has_password"
