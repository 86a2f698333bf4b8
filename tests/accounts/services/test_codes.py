"""Login by code, forgot password and re-authentication (SPEC §1), including enumeration resistance."""

from __future__ import annotations

import pytest

from billing_center.accounts.models import AccountSession
from billing_center.accounts.services import (
    login_code_request,
    login_with_code,
    login_with_password,
    password_reset,
    password_reset_code_request,
    reauth_code_request,
    reauthenticate,
)
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import RateLimited, ValidationFailed
from billing_center.verification.models import OneTimeCode
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code, outbox_messages

pytestmark = pytest.mark.django_db(transaction=True)

META = RequestMeta(ip="198.51.100.30", user_agent="pytest")
NEW_PASSWORD = "amber lantern over quiet fields"


@pytest.fixture
def holder():
    return AccountFactory(username="carol", email="carol@example.com", phone="+8613800138000")


# --- login by code -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("identifier", "inbox"),
    [
        ("Carol@Example.com", "carol@example.com"),
        ("138 0013 8000", "+8613800138000"),
    ],
)
def test_login_code_goes_to_the_verified_address_named(holder, identifier, inbox):
    # given a holder with email and phone / when a login code is requested by email or by phone
    assert login_code_request(identifier=identifier, language="en", meta=META) is None
    # then it reaches that very address and logs in
    account = login_with_code(identifier=identifier, code=latest_code(inbox), meta=META)
    assert account.pk == holder.pk
    assert AuditEvent.objects.filter(event="login.succeeded", detail__method="code").count() == 1


def test_password_less_account_logs_in_by_code():
    # given an account without a password
    account = AccountFactory(username="nopass", email="nopass@example.com", password="")
    # when it asks for a code and uses it / then it is logged in
    login_code_request(identifier="nopass@example.com", language="en", meta=META)
    assert (
        login_with_code(identifier="nopass@example.com", code=latest_code("nopass@example.com"), meta=META).pk
        == account.pk
    )


def test_login_code_is_single_use(holder):
    # given a used login code
    login_code_request(identifier="carol@example.com", language="en", meta=META)
    code = latest_code("carol@example.com")
    login_with_code(identifier="carol@example.com", code=code, meta=META)
    # when it is used again / then it is refused
    with pytest.raises(ValidationFailed) as refused:
        login_with_code(identifier="carol@example.com", code=code, meta=META)
    assert refused.value.code == "invalid_code"


def test_login_code_for_one_address_does_not_work_for_another(holder):
    # given a code sent to the phone
    login_code_request(identifier="+8613800138000", language="en", meta=META)
    code = latest_code("+8613800138000")
    # when it is entered with the email identifier / then it is refused
    with pytest.raises(ValidationFailed):
        login_with_code(identifier="carol@example.com", code=code, meta=META)


@pytest.mark.parametrize("request_codes", [login_code_request, password_reset_code_request])
def test_code_requests_answer_the_same_for_unknown_addresses(holder, request_codes):
    # given a known and an unknown email / when codes are requested for both
    known = request_codes(identifier="carol@example.com", language="en", meta=META)
    unknown = request_codes(identifier="stranger@example.com", language="en", meta=META)
    # then both answers are identical (nothing), the owner gets a code, the stranger a notice
    assert known is None and unknown is None
    assert len(latest_code("carol@example.com")) == 6
    assert "no account uses it" in outbox_messages("stranger@example.com")[0]["body"]
    # and the same limits apply to both: an immediate second request is refused alike
    for identifier in ("carol@example.com", "stranger@example.com"):
        with pytest.raises(RateLimited) as refused:
            request_codes(identifier=identifier, language="en", meta=META)
        assert refused.value.code == "resend_too_soon"


def test_disabled_account_gets_a_notice_and_cannot_log_in_by_code():
    # given a disabled account
    AccountFactory(username="off", email="off@example.com", is_active=False)
    # when a login code is requested / then a notice (no code) arrives, and a guess fails like a wrong code
    login_code_request(identifier="off@example.com", language="en", meta=META)
    assert "disabled" in outbox_messages("off@example.com")[0]["body"]
    with pytest.raises(ValidationFailed) as refused:
        login_with_code(identifier="off@example.com", code="123456", meta=META)
    assert refused.value.code == "invalid_code"


def test_unknown_identifier_with_a_code_fails_like_a_wrong_code(holder):
    # given a holder with a live code / when a code is tried for an unknown email and for the holder's
    # email with a wrong code
    login_code_request(identifier="carol@example.com", language="en", meta=META)
    with pytest.raises(ValidationFailed) as unknown:
        login_with_code(identifier="nobody@example.com", code="123456", meta=META)
    with pytest.raises(ValidationFailed) as wrong:
        login_with_code(identifier="carol@example.com", code="000000", meta=META)
    # then the answers are identical
    assert (unknown.value.code, unknown.value.message) == (wrong.value.code, wrong.value.message)


# --- codes go only to an address that was typed ----------------------------------------------------


def _request_login_code(identifier):
    return login_code_request(identifier=identifier, language="en", meta=META)


def _request_reset_code(identifier):
    return password_reset_code_request(identifier=identifier, language="en", meta=META)


def _log_in_with_code(identifier, code="123456"):
    return login_with_code(identifier=identifier, code=code, meta=META)


def _reset_password(identifier, code="123456"):
    return password_reset(identifier=identifier, code=code, new_password=NEW_PASSWORD, meta=META)


CODE_SERVICES = [
    pytest.param(_request_login_code, id="login_code_request"),
    pytest.param(_request_reset_code, id="password_reset_code_request"),
    pytest.param(_log_in_with_code, id="login_with_code"),
    pytest.param(_reset_password, id="password_reset"),
]


@pytest.mark.parametrize("call", CODE_SERVICES)
@pytest.mark.parametrize("username", ["carol", "Carol", "nobody"])
def test_a_username_is_refused_by_every_code_service_and_nothing_is_sent(holder, call, username):
    # given a holder whose username is public / when a code service is called with a username
    # (the holder's, in another case, or one no account has)
    with pytest.raises(ValidationFailed) as refused:
        call(username)
    # then it asks for an email or mobile number on the identifier field, whatever the account
    assert (refused.value.code, refused.value.field, refused.value.status) == (
        "email_or_phone_required",
        "identifier",
        422,
    )
    assert refused.value.message == (
        "Enter the email address or mobile number of your account; codes are sent there."
    )
    # and nothing was sent, checked or counted
    assert outbox_messages() == []
    assert not AuditEvent.objects.filter(event__startswith="code.").exists()


@pytest.mark.parametrize(
    ("identifier", "code"),
    [("carol@", "invalid_email"), ("carol@@example.com", "invalid_email"), ("12345", "invalid_phone")],
)
@pytest.mark.parametrize("call", CODE_SERVICES)
def test_an_unparsable_address_is_refused_on_the_identifier_field(holder, call, identifier, code):
    # given a holder / when a code service is called with an email or phone that does not parse
    with pytest.raises(ValidationFailed) as refused:
        call(identifier)
    # then it is refused on the identifier field (before, nothing was sent and nothing was said)
    assert (refused.value.code, refused.value.field) == (code, "identifier")
    assert outbox_messages() == []
    assert not AuditEvent.objects.filter(event__startswith="code.").exists()


@pytest.mark.parametrize(
    ("request_code", "check"),
    [
        pytest.param(_request_login_code, _log_in_with_code, id="login"),
        pytest.param(_request_reset_code, _reset_password, id="reset"),
    ],
)
def test_a_right_code_with_the_username_is_refused_and_not_spent(holder, request_code, check):
    # given a live code sent to the holder's email
    request_code("carol@example.com")
    code = latest_code("carol@example.com")
    # when it is entered with the username / then it is refused without a check being counted
    with pytest.raises(ValidationFailed) as refused:
        check("carol", code)
    assert refused.value.code == "email_or_phone_required"
    assert not AuditEvent.objects.filter(event__in=["code.check_failed", "code.verified"]).exists()
    # and with the email it still works
    assert check("carol@example.com", code).pk == holder.pk


# --- forgot password -----------------------------------------------------------------------------


def test_password_reset_sets_the_password_ends_sessions_voids_codes_and_notifies(holder, client):
    # given a logged-in session and an outstanding login code
    client.force_login(holder)
    assert AccountSession.objects.filter(account=holder).count() == 1
    login_code_request(identifier="+8613800138000", language="en", meta=META)
    # when the holder resets the password with a code sent to the email
    password_reset_code_request(identifier="carol@example.com", language="en", meta=META)
    password_reset(
        identifier="carol@example.com",
        code=latest_code("carol@example.com"),
        new_password=NEW_PASSWORD,
        meta=META,
    )
    # then the new password works and the old one does not
    assert login_with_password(identifier="carol", password=NEW_PASSWORD, meta=META).pk == holder.pk
    with pytest.raises(ValidationFailed):
        login_with_password(identifier="carol", password=DEFAULT_PASSWORD, meta=RequestMeta(ip="192.0.2.9"))
    # and every session ended, every code is void, a notice went out, the reset is audited
    assert not AccountSession.objects.filter(account=holder).exists()
    assert not OneTimeCode.objects.filter(
        account=holder, used_at__isnull=True, voided_at__isnull=True
    ).exists()
    assert "account was reset" in outbox_messages("carol@example.com")[0]["body"]
    assert AuditEvent.objects.filter(event="password.reset", account=holder).exists()


def test_password_reset_checks_the_policy_before_spending_the_code(holder):
    # given a reset code
    password_reset_code_request(identifier="carol@example.com", language="en", meta=META)
    code = latest_code("carol@example.com")
    # when the new password is too short / then it is refused on new_password
    with pytest.raises(ValidationFailed) as refused:
        password_reset(identifier="carol@example.com", code=code, new_password="short", meta=META)
    assert refused.value.field == "new_password"
    # and the code still works with a good password
    password_reset(identifier="carol@example.com", code=code, new_password=NEW_PASSWORD, meta=META)


def test_password_reset_refuses_context_words(holder):
    # given a reset code / when the new password holds the username / then it is refused
    password_reset_code_request(identifier="carol@example.com", language="en", meta=META)
    with pytest.raises(ValidationFailed) as refused:
        password_reset(
            identifier="carol@example.com",
            code=latest_code("carol@example.com"),
            new_password="carol likes long passwords",
            meta=META,
        )
    assert refused.value.code == "password_rejected"


def test_password_reset_for_unknown_and_known_identifiers_answers_alike(holder):
    # given a weak password / when reset is tried for an unknown and a known email
    answers = []
    for identifier in ("stranger@example.com", "carol@example.com"):
        with pytest.raises(ValidationFailed) as refused:
            password_reset(identifier=identifier, code="123456", new_password="short", meta=META)
        answers.append((refused.value.code, refused.value.field, refused.value.message))
    # then the answers are identical
    assert answers[0] == answers[1]


def test_password_reset_lifts_the_password_login_lock(holder):
    # given a holder whose password login is locked
    holder.password_login_locked = True
    holder.failed_login_streak = 100
    holder.save(update_fields=["password_login_locked", "failed_login_streak"])
    # when the password is reset / then password login works again
    password_reset_code_request(identifier="carol@example.com", language="en", meta=META)
    password_reset(
        identifier="carol@example.com",
        code=latest_code("carol@example.com"),
        new_password=NEW_PASSWORD,
        meta=META,
    )
    assert login_with_password(identifier="carol", password=NEW_PASSWORD, meta=META).pk == holder.pk


# --- re-authentication ---------------------------------------------------------------------------


def test_reauthenticate_with_password(holder):
    # when the holder confirms with the right password / then it passes and is audited
    reauthenticate(account=holder, password=DEFAULT_PASSWORD, meta=META)
    assert AuditEvent.objects.filter(event="reauth.succeeded", detail__method="password").exists()
    # and a wrong password is refused on the password field
    with pytest.raises(ValidationFailed) as refused:
        reauthenticate(account=holder, password="not it at all", meta=META)
    assert (refused.value.code, refused.value.field) == ("invalid_password", "password")


def test_reauthenticate_with_a_code_sent_to_the_login_email(holder):
    # given a reauth code / when it is entered / then it passes
    sent = reauth_code_request(account=holder, meta=META)
    assert sent.target_masked.endswith("@example.com")
    reauthenticate(account=holder, code=latest_code("carol@example.com"), meta=META)
    assert AuditEvent.objects.filter(event="reauth.succeeded", detail__method="code").exists()


def test_reauthenticate_needs_exactly_one_proof(holder):
    for kwargs in ({}, {"password": DEFAULT_PASSWORD, "code": "123456"}):
        with pytest.raises(ValidationFailed) as refused:
            reauthenticate(account=holder, meta=META, **kwargs)
        assert refused.value.code == "password_or_code_required"


def test_password_less_account_reauthenticates_by_code_only():
    account = AccountFactory(username="nopass", email="nopass@example.com", password="")
    with pytest.raises(ValidationFailed) as refused:
        reauthenticate(account=account, password="anything at all", meta=META)
    assert refused.value.code == "no_password"


def test_reauthentication_password_guesses_are_throttled(holder):
    # given five wrong passwords on re-authentication
    for _ in range(5):
        with pytest.raises(ValidationFailed):
            reauthenticate(account=holder, password="a wrong guess", meta=META)
    # when the next comes at once / then it is delayed with Retry-After
    with pytest.raises(RateLimited) as refused:
        reauthenticate(account=holder, password=DEFAULT_PASSWORD, meta=META)
    assert refused.value.retry_after >= 1
