"""Sign-up (SPEC §1): codes (enumeration-safe), field rules, uniqueness, password policy, races."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing_center.accounts.models import Account
from billing_center.accounts.services import account_signup, signup_code_request
from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.errors import ValidationFailed
from tests.factories import AccountFactory
from tests.outbox import latest_code, outbox_messages

pytestmark = pytest.mark.django_db(transaction=True)

META = RequestMeta(ip="198.51.100.20", user_agent="pytest")
PASSWORD = "quiet violet harbour lamps"


def _codes_for(email: str, phone: str | None = None) -> dict[str, str]:
    signup_code_request(channel="email", target=email, language="en", meta=META)
    codes = {"email_code": latest_code(email.lower())}
    if phone:
        sent = signup_code_request(channel="sms", target=phone, language="en", meta=META)
        assert sent.target_masked
        codes["phone_code"] = latest_code(_e164(phone))
    return codes


def _e164(phone: str) -> str:
    from billing_center.accounts.identifiers import normalize_phone

    return normalize_phone(phone)


def _signup(**overrides) -> Account:
    fields = {
        "username": "newholder",
        "password": PASSWORD,
        "email": "new.holder@example.com",
        "enterprise_name": "Newco Observability",
        "accept_terms": True,
        "meta": META,
    }
    fields.update(overrides)
    if "email_code" not in fields:
        fields["email_code"] = _codes_for(fields["email"])["email_code"]
    return account_signup(**fields)


def _signup_error(**overrides) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as failed:
        _signup(**overrides)
    return failed.value


# --- codes ---------------------------------------------------------------------------------------


def test_signup_code_goes_to_a_new_email():
    # given an unused address / when a sign-up code is requested
    sent = signup_code_request(channel="email", target="Fresh@Example.com", language="en", meta=META)
    # then a 6-digit code arrives at the normalized address
    assert len(latest_code("fresh@example.com")) == 6
    assert sent.target_masked == "fr***@example.com"


@pytest.mark.parametrize(
    ("channel", "taken", "free"),
    [
        ("email", "owner@example.com", "other@example.com"),
        ("sms", "+8613800138000", "+8613900139000"),
    ],
)
def test_taken_address_gets_a_notice_and_the_answer_does_not_change(channel, taken, free):
    # given an account owning one address
    AccountFactory(username="owner", email="owner@example.com", phone="+8613800138000")
    # when sign-up codes are requested for the taken and for a free address
    now = timezone.now()
    for_taken = signup_code_request(channel=channel, target=taken, language="en", meta=META)
    for_free = signup_code_request(channel=channel, target=free, language="en", meta=META)
    # then both answers have the same shape and timing
    assert for_taken.delivery == for_free.delivery
    assert abs((for_taken.expires_at - now) - (for_free.expires_at - now)) < timedelta(seconds=5)
    assert len(for_taken.target_masked) == len(for_free.target_masked)
    # and the owner got a notice, not a code
    notice = outbox_messages(taken)[0]
    assert "already has an account" in notice["body"]
    with pytest.raises(AssertionError):
        latest_code(taken)
    assert len(latest_code(free)) == 6


def test_sms_notice_fits_one_segment():
    # given a taken phone / when someone asks for a sign-up code for it
    AccountFactory(username="owner", email="owner@example.com", phone="+8613800138000")
    signup_code_request(channel="sms", target="13800138000", language="zh-hans", meta=META)
    # then the SMS notice fits in 70 characters
    assert len(outbox_messages("+8613800138000")[0]["body"]) <= 70


def test_unknown_channel_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        signup_code_request(channel="fax", target="x@example.com", language="en", meta=META)
    assert refused.value.field == "channel"


# --- the account ---------------------------------------------------------------------------------


@pytest.mark.argon2
def test_signup_creates_a_normalized_account_with_email_and_phone():
    # given codes for an email (mixed case, IDN domain) and a national-format mobile number
    codes = _codes_for("New.Holder@BÜCHER.de", "138 0013 8000")
    # when signing up with every optional field
    account = _signup(
        email="New.Holder@BÜCHER.de",
        phone="138 0013 8000",
        industry="internet",
        region="cn-east",
        introduction="We watch servers.",
        contact_name="Li Lei",
        language="zh-Hans",
        **codes,
    )
    # then the account holds normalized identifiers and an Argon2id password
    account.refresh_from_db()
    assert account.email == "new.holder@bücher.de"
    assert account.phone == "+8613800138000"
    assert account.language == "zh-hans"
    assert (account.industry, account.region) == ("internet", "cn-east")
    assert account.password.startswith("argon2$argon2id$")
    assert account.check_password(PASSWORD)
    # and the sign-up is audited with masked values only
    event = AuditEvent.objects.get(event="signup")
    assert event.account_id == account.pk
    assert event.new["email"] != account.email and "@" in event.new["email"]


def test_signup_codes_are_single_use():
    # given a finished sign-up
    codes = _codes_for("once@example.com")
    _signup(email="once@example.com", **codes)
    Account.objects.all().delete()
    # when the same code is used again / then it is refused
    error = _signup_error(email="once@example.com", **codes)
    assert error.code == "invalid_code"
    assert error.field == "email_code"


def test_username_is_unique_case_insensitively_and_may_be_reported():
    # given an account "Alice"
    AccountFactory(username="Alice")
    # when someone signs up as "alice" / then the collision is reported on the username
    error = _signup_error(username="alice", email_code="000000")
    assert (error.code, error.field) == ("username_taken", "username")


def test_wrong_email_code_is_refused_on_the_email_code_field():
    _codes_for("new.holder@example.com")
    error = _signup_error(email_code="000000")
    assert (error.code, error.field) == ("invalid_code", "email_code")


def test_phone_needs_its_own_code():
    # given an email code but no phone code / when signing up with a phone / then the phone code is required
    codes = _codes_for("new.holder@example.com")
    error = _signup_error(phone="13800138000", **codes)
    assert (error.code, error.field) == ("required", "phone_code")


def test_email_taken_after_the_code_was_sent_gives_a_generic_verification_error():
    # given a valid sign-up code, then the address gets registered by someone else
    codes = _codes_for("race@example.com")
    AccountFactory(username="winner", email="RACE@example.com")
    # when the sign-up goes on / then a generic verification error, never "taken"
    error = _signup_error(email="race@example.com", **codes)
    assert error.code == "verification_failed"
    assert "taken" not in error.message.lower() and "exists" not in error.message.lower()


def test_email_of_an_existing_account_cannot_be_registered_through_the_decoy():
    # given an existing account and a sign-up code request for its email (which sends a notice)
    AccountFactory(username="owner", email="owner@example.com")
    signup_code_request(channel="email", target="owner@example.com", language="en", meta=META)
    # when someone signs up with a guessed code / then it fails like any wrong code
    error = _signup_error(email="owner@example.com", email_code="123456")
    assert error.code == "invalid_code"


def test_integrity_race_becomes_a_clean_error(monkeypatch):
    # given a competing sign-up that commits the same username after our checks, before our insert
    from billing_center.accounts.services import signup

    codes = _codes_for("new.holder@example.com")
    real_check = signup._signup_code_check

    def check_then_lose_the_race(**kwargs):
        real_check(**kwargs)
        Account.objects.create(username="NEWHOLDER", email="other@example.com", enterprise_name="X")

    monkeypatch.setattr(signup, "_signup_code_check", check_then_lose_the_race)
    # when the sign-up inserts / then the database constraint's error becomes a field error
    error = _signup_error(**codes)
    assert (error.code, error.field) == ("username_taken", "username")
    assert Account.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"username": "1bad"}, "username", "invalid_username"),
        ({"email": "not-an-email"}, "email", "invalid_email"),
        ({"phone": "010-65529988", "phone_code": "123456"}, "phone", "invalid_phone"),
        ({"enterprise_name": "   "}, "enterprise_name", "required"),
        ({"enterprise_name": "x" * 101}, "enterprise_name", "too_long"),
        ({"introduction": "x" * 501}, "introduction", "too_long"),
        ({"contact_name": "x" * 51}, "contact_name", "too_long"),
        ({"industry": "mining-on-mars"}, "industry", "invalid_choice"),
        ({"region": "atlantis"}, "region", "invalid_choice"),
        ({"language": "fr"}, "language", "invalid_language"),
        ({"accept_terms": False}, "accept_terms", "terms_required"),
        ({"password": "short pass"}, "password", "password_rejected"),
        ({"password": "x" * 129}, "password", "password_rejected"),
        ({"password": "password1234"}, "password", "password_rejected"),
        ({"password": "newholder is my name"}, "password", "password_rejected"),
        ({"password": "we are Newco Observability"}, "password", "password_rejected"),
        ({"password": "mail me at new.holder please"}, "password", "password_rejected"),
    ],
)
def test_every_field_rule_is_enforced(overrides, field, code):
    # given otherwise valid sign-up data, with a live email code, and one bad field
    from billing_center.verification.services import code_state

    codes = _codes_for("new.holder@example.com")
    # when signing up
    error = _signup_error(**codes, **overrides)
    # then that field is refused with a stable code, before the code was tried
    assert (error.field, error.code) == (field, code)
    assert not Account.objects.exists()
    state = code_state(purpose="signup_email", target="new.holder@example.com")
    assert state is not None and state.attempts_left == 5


def test_boundary_lengths_are_accepted():
    # given the longest allowed texts / when signing up / then the account is created
    account = _signup(enterprise_name="e" * 100, introduction="i" * 500, contact_name="c" * 50)
    assert len(account.enterprise_name) == 100


def test_emails_and_phones_are_unique_in_the_database():
    # given an account
    AccountFactory(username="first", email="dup@example.com", phone="+8613800138000")
    # when another row reuses the email in another case, or the phone / then the constraints refuse it
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="second", email="DUP@example.com", enterprise_name="X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(
            username="third", email="x@example.com", phone="+8613800138000", enterprise_name="X"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(username="FIRST", email="y@example.com", enterprise_name="X")


def test_username_is_immutable_after_signup():
    # given an account
    account = AccountFactory(username="fixedname")
    # when the profile service is asked to change the username / then it refuses
    from billing_center.accounts.services.profile import profile_update

    with pytest.raises(ValidationFailed):
        profile_update(account=account, changes={"username": "newname"}, meta=META)
    # and the back office shows it read-only
    from django.contrib.admin.sites import site

    assert "username" in site._registry[Account].readonly_fields
    account.refresh_from_db()
    assert account.username == "fixedname"
