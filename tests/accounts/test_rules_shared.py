"""One rule in one place: the password policy's one error code, the field cleaner shared by sign-up and
the profile, and the one change-or-set password service behind the API and the console."""

from __future__ import annotations

import pytest

from billing_center.accounts.fields import field_clean
from billing_center.accounts.models import Account
from billing_center.accounts.services import account_signup, signup_code_request
from billing_center.accounts.services.password import password_update
from billing_center.accounts.services.profile import profile_update
from billing_center.audit.models import AuditEvent
from billing_center.core.errors import ReauthenticationRequired, ValidationFailed
from tests.accounts.settings_support import META, logged_in_client
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db

BELL_NAME = "Acme\x07 Corp"


def _signup(enterprise_name: str) -> Account:
    signup_code_request(channel="email", target="bell@example.com", language="en", meta=META)
    return account_signup(
        username="bellholder",
        password="quiet violet harbour lamps",
        email="bell@example.com",
        email_code=latest_code("bell@example.com"),
        enterprise_name=enterprise_name,
        accept_terms=True,
        meta=META,
    )


def test_sign_up_refuses_control_characters_like_the_profile():
    # when a sign-up and a profile edit both send a name with a BEL character
    with pytest.raises(ValidationFailed) as at_signup:
        _signup(BELL_NAME)
    account = AccountFactory()
    with pytest.raises(ValidationFailed) as at_profile:
        profile_update(account=account, changes={"enterprise_name": BELL_NAME}, meta=META)
    # then both refuse it the same way, and nothing was written
    assert (at_signup.value.field, at_signup.value.code) == ("enterprise_name", "invalid_characters")
    assert (at_profile.value.field, at_profile.value.code) == ("enterprise_name", "invalid_characters")
    assert not Account.objects.filter(username="bellholder").exists()


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        ("enterprise_name", "  Acme   Corp ", "Acme Corp"),
        ("contact_name", "Li\tLei", "Li Lei"),
        ("introduction", "  line one\nline two  ", "line one\nline two"),
        ("industry", "", ""),
    ],
)
def test_one_cleaner_folds_white_space_and_keeps_the_introductions_lines(field, value, stored):
    assert field_clean(field, value) == stored


def test_the_password_policy_answers_one_code_everywhere():
    # given a holder changing the password to one the policy refuses, and a sign-up with the same
    account = AccountFactory()
    with pytest.raises(ValidationFailed) as at_change:
        password_update(
            account=account,
            current_password=DEFAULT_PASSWORD,
            new_password="password1234",
            reauthenticated=False,
            keep_session_key=None,
            meta=META,
        )
    signup_code_request(channel="email", target="weak@example.com", language="en", meta=META)
    with pytest.raises(ValidationFailed) as at_signup:
        account_signup(
            username="weakholder",
            password="password1234",
            email="weak@example.com",
            email_code=latest_code("weak@example.com"),
            enterprise_name="Weak Co",
            accept_terms=True,
            meta=META,
        )
    # then both answer password_rejected (on their own field)
    assert (at_change.value.field, at_change.value.code) == ("new_password", "password_rejected")
    assert (at_signup.value.field, at_signup.value.code) == ("password", "password_rejected")


def test_password_update_changes_an_existing_password_and_sets_a_first_one():
    # given a holder with a password and one without
    with_password, without = AccountFactory(), AccountFactory(password="")
    common = {"new_password": "a quiet meadow under seven moons", "keep_session_key": None, "meta": META}
    # when each updates the password
    changed = password_update(
        account=with_password, current_password=DEFAULT_PASSWORD, reauthenticated=False, **common
    )
    with pytest.raises(ReauthenticationRequired):
        password_update(account=without, current_password="", reauthenticated=False, **common)
    first = password_update(account=without, current_password="", reauthenticated=True, **common)
    # then the one with a password changed it, the other set it only after re-authentication
    assert (changed, first) == ("changed", "set")
    assert list(AuditEvent.objects.filter(event__startswith="password.").values_list("event", flat=True)) == [
        "password.set",
        "password.changed",
    ]


def test_api_and_console_share_the_password_rule():
    # given a holder and a weak new password, once through the API, once through the console
    account = AccountFactory()
    api = logged_in_client(account, enforce_csrf=True)
    answer = api.post(
        "/api/v1/account/password",
        {"current_password": DEFAULT_PASSWORD, "new_password": "password1234"},
        content_type="application/json",
    )
    page = logged_in_client(account).post(
        "/settings/security",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": "password1234",
            "new_password_confirm": "password1234",
        },
    )
    # then both refuse it with the policy's answer, and the password is unchanged
    assert answer.status_code == 422 and answer.json()["code"] == "password_rejected"
    assert "This password is too common." in answer.json()["detail"]
    assert "This password is too common." in page.content.decode()
    assert Account.objects.get(pk=account.pk).check_password(DEFAULT_PASSWORD)
