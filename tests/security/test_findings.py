"""The attacks of the security review (issue 7), replayed as they were found, against the API.

Each test plays the stranger's request sequence first, then shows what the holder can still do from
their own network (the network of an earlier successful login, SPEC §2 "known network")."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from billing_center.accounts.models import Account, AccountSession
from tests.factories import DEFAULT_PASSWORD, AccountFactory
from tests.outbox import latest_code, outbox_messages

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "victim@example.com"
PHONE = "+8613800138000"
HOME = "203.0.113.10"  # the holder's own network (203.0.113.0/24)
NEW_PASSWORD = "amber lantern over quiet fields"


class Browser:
    """One client from one address, carrying its CSRF token like a browser does."""

    def __init__(self, ip: str) -> None:
        self.ip = ip
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)
        self.client.get("/api/v1/auth/csrf")
        self._token()

    def _token(self) -> None:
        self.client.defaults["HTTP_X_CSRFTOKEN"] = self.client.cookies["csrftoken"].value

    def post(self, path: str, body: dict | None = None):
        response = self.client.post(f"/api/v1/{path}", body or {}, content_type="application/json")
        if "csrftoken" in response.cookies:
            self._token()
        return response


def stranger_ip(n: int) -> str:
    """Addresses of 200 different /24 networks, none of them the holder's."""
    return f"198.18.{n}.7"


@pytest.fixture
def fast_hashing(settings):
    # Hundreds of password checks with Argon2 would take minutes; the rules do not depend on the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def victim(fast_hashing) -> Account:
    account = AccountFactory(username="victim", email=EMAIL, phone=PHONE)
    # given the holder logged in once from home, which makes home a known network
    assert (
        Browser(HOME).post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD}).status_code
        == 200
    )
    return account


def _code_login_from_home(identifier: str = EMAIL) -> int:
    home = Browser(HOME)
    asked = home.post("auth/login/codes", {"identifier": identifier})
    assert asked.status_code == 202, asked.content
    return home.post(
        "auth/login/code", {"identifier": identifier, "code": latest_code(identifier)}
    ).status_code


# --- finding 1: a stranger locks the victim out ---------------------------------------------------


def test_twenty_wrong_login_codes_from_a_stranger_do_not_lock_the_holder(victim):
    # given a stranger who sends 20 wrong login codes for the victim's email from one IP (no code was sent)
    stranger = Browser(stranger_ip(1))
    answers = [
        stranger.post("auth/login/code", {"identifier": EMAIL, "code": "000000"}).status_code
        for _ in range(20)
    ]
    assert set(answers) == {422}
    # then the stranger's own network is locked for login codes to that email
    locked = stranger.post("auth/login/code", {"identifier": EMAIL, "code": "000000"})
    assert (locked.status_code, locked.json()["code"]) == (429, "purpose_locked")
    # and the holder still logs in by code and by password from their own network
    assert _code_login_from_home() == 200
    assert (
        Browser(HOME).post("auth/login", {"identifier": EMAIL, "password": DEFAULT_PASSWORD}).status_code
        == 200
    )
    # and the holder got a notice saying how to get in
    notice = next(m for m in outbox_messages(EMAIL) if "too many wrong verification codes" in m["subject"])
    assert "from a network you used before, log in" in notice["body"]


def test_twenty_wrong_reset_codes_from_a_stranger_do_not_lock_the_holders_reset(victim):
    # given 20 wrong password-reset codes for the victim's email from a stranger's IP
    stranger = Browser(stranger_ip(2))
    body = {"identifier": EMAIL, "code": "000000", "new_password": NEW_PASSWORD}
    for _ in range(20):
        stranger.post("auth/password-reset", body)
    assert stranger.post("auth/password-reset", body).json()["code"] == "purpose_locked"
    # when the holder resets from home / then it works
    home = Browser(HOME)
    assert home.post("auth/password-reset/codes", {"identifier": EMAIL}).status_code == 202
    reset = home.post("auth/password-reset", {**body, "code": latest_code(EMAIL)})
    assert reset.status_code == 204, reset.content


def test_a_hundred_wrong_passwords_from_twenty_ips_never_refuse_the_holders_password_from_home(victim):
    # given 20 IPs x 5 wrong passwords (the 100-failure pause)
    for n in range(20):
        stranger = Browser(stranger_ip(n))
        for attempt in range(5):
            answer = stranger.post(
                "auth/login", {"identifier": "victim", "password": f"guess {n} {attempt}!"}
            )
            assert answer.status_code == 400
    victim.refresh_from_db()
    assert victim.password_login_locked
    # then the correct password from a network never seen before answers like a wrong one (a code is needed)
    fresh = Browser("192.0.2.44").post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD})
    assert (fresh.status_code, fresh.json()["code"]) == (400, "invalid_credentials")
    # and the holder logs in by password from home, and by code from home
    home = Browser(HOME).post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD})
    assert home.status_code == 200, home.content
    assert _code_login_from_home() == 200


def test_ten_code_requests_from_strangers_leave_the_holder_a_login_code_from_home(victim):
    # given strangers who ask for the victim's login code 10 times (two networks, 5 each, a minute apart)
    with time_machine.travel("2026-03-03T09:00:00+00:00", tick=False) as clock:
        for n in range(10):
            Browser(stranger_ip(n % 2)).post("auth/login/codes", {"identifier": EMAIL})
            clock.shift(61)
        # then a third stranger network is refused: the address-wide cap bounds what strangers can ask for
        refused = Browser(stranger_ip(3)).post("auth/login/codes", {"identifier": EMAIL})
        assert refused.status_code == 429
        # and the holder, from home, gets a code and logs in with it; the password works too
        assert _code_login_from_home() == 200
        password = Browser(HOME).post("auth/login", {"identifier": EMAIL, "password": DEFAULT_PASSWORD})
        assert password.status_code == 200


# --- finding 2: per-address send caps shared by every purpose ---------------------------------------


def test_reauthentication_codes_still_go_out_after_strangers_spent_the_anonymous_sends(victim):
    # given a logged-in holder
    home = Browser(HOME)
    assert home.post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD}).status_code == 200
    with time_machine.travel("2026-03-03T09:00:00+00:00", tick=False) as clock:
        # and strangers who spent every anonymous send of the address (login and reset codes)
        for n in range(10):
            path = "auth/login/codes" if n % 2 else "auth/password-reset/codes"
            Browser(stranger_ip(n % 2)).post(path, {"identifier": EMAIL})
            clock.shift(61)
        assert Browser(stranger_ip(5)).post("auth/login/codes", {"identifier": EMAIL}).status_code == 429
        # when the holder asks for a re-authentication code
        sent = home.post("auth/reauthenticate/codes")
        # then it goes out and confirms the holder
        assert sent.status_code == 202, sent.content
        confirmed = home.post("auth/reauthenticate", {"code": latest_code(EMAIL)})
        assert confirmed.status_code == 200, confirmed.content


# --- finding 3: one anonymous client drains the SMS budget --------------------------------------------


def test_a_logged_in_holders_sms_goes_out_after_the_signup_sms_budget_is_spent(victim, settings):
    # given a sign-up SMS budget spent by one client using many numbers and addresses
    settings.SMS_SIGNUP_BUDGET_PER_HOUR = 6
    answers = []
    for n in range(9):
        sender = Browser(f"192.0.2.{n + 1}")
        answers.append(
            sender.post("auth/signup/codes", {"channel": "sms", "target": f"+86138001390{n:02d}"}).status_code
        )
    assert answers == [202] * 6 + [429] * 3
    # when the logged-in holder starts a phone change (a code to the current phone, by SMS)
    home = Browser(HOME)
    assert home.post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD}).status_code == 200
    assert home.post("auth/reauthenticate", {"password": DEFAULT_PASSWORD}).status_code == 200
    started = home.post("account/phone-change", {})
    # then the SMS goes out
    assert started.status_code == 200, started.content
    assert outbox_messages(PHONE), "the holder's SMS was not sent"
    # and so does a login code by SMS asked from the holder's own network
    assert _code_login_from_home(PHONE) == 200


# --- finding 4: the current-password check never refuses a correct guess -----------------------------


def test_a_correct_current_password_after_ten_wrong_ones_is_refused(victim):
    # given a stolen session (logged in from elsewhere) and the holder's own session
    home = Browser(HOME)
    assert home.post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD}).status_code == 200
    thief = Browser(stranger_ip(9))
    assert thief.post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD}).status_code == 200
    # when the thief guesses the current password 10 times wrong, then once right
    for n in range(10):
        wrong = thief.post(
            "account/password", {"current_password": f"guess {n}!", "new_password": NEW_PASSWORD}
        )
        assert wrong.status_code == 422, wrong.content
    right = thief.post(
        "account/password", {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    )
    # then the correct one is refused too, and the holder's session lives on
    assert (right.status_code, right.json()["code"]) == (429, "rate_limited")
    victim.refresh_from_db()
    assert victim.check_password(DEFAULT_PASSWORD)
    assert AccountSession.objects.filter(account=victim).count() == 3


def test_reauthentication_by_password_has_an_account_wide_cap(victim):
    # given a stolen session on one network, and 20 wrong passwords from 20 networks
    with time_machine.travel("2026-03-03T09:00:00+00:00", tick=False):
        thieves = [Browser(stranger_ip(n)) for n in range(21)]
        for thief in thieves:
            assert (
                thief.post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD}).status_code
                == 200
            )
        for thief in thieves[:20]:
            assert thief.post("auth/reauthenticate", {"password": "not the password!"}).status_code == 422
        # when the right password comes from a 21st network / then it is refused
        right = thieves[20].post("auth/reauthenticate", {"password": DEFAULT_PASSWORD})
        assert (right.status_code, right.json()["code"]) == (429, "rate_limited")


# --- finding 5: the linking oracle ---------------------------------------------------------------------


def test_a_locked_email_does_not_tell_which_phone_belongs_to_the_same_account(victim):
    # given a stranger's network locked for login codes to the victim's email
    stranger = Browser(stranger_ip(4))
    for _ in range(21):
        stranger.post("auth/login/code", {"identifier": EMAIL, "code": "000000"})
    assert (
        stranger.post("auth/login/code", {"identifier": EMAIL, "code": "000000"}).json()["code"]
        == "purpose_locked"
    )
    # when the stranger tries the account's phone and an unrelated phone
    linked = stranger.post("auth/login/code", {"identifier": PHONE, "code": "000000"})
    unrelated = stranger.post("auth/login/code", {"identifier": "+8613700137000", "code": "000000"})
    # then both answer the same way: a wrong code, not "locked"
    assert (linked.status_code, linked.json()["code"]) == (unrelated.status_code, unrelated.json()["code"])
    assert linked.json()["code"] == "invalid_code"


def test_after_all_three_attacks_together_the_holder_logs_in_both_ways_from_home(victim):
    # given, in one hour, a stranger's 20 wrong login codes, 100 wrong passwords (20 IPs x 5) and
    # 10 login-code requests for the victim
    with time_machine.travel("2026-03-03T09:00:00+00:00", tick=False) as clock:
        guesser = Browser(stranger_ip(50))
        for _ in range(20):
            guesser.post("auth/login/code", {"identifier": EMAIL, "code": "000000"})
        for n in range(20):
            stranger = Browser(stranger_ip(n))
            for attempt in range(5):
                stranger.post("auth/login", {"identifier": "victim", "password": f"guess {n} {attempt}!"})
        for n in range(10):
            Browser(stranger_ip(60 + n % 2)).post("auth/login/codes", {"identifier": EMAIL})
            clock.shift(61)
        victim.refresh_from_db()
        assert victim.password_login_locked
        # when the holder logs in from home / then by password and by code both work
        by_password = Browser(HOME).post("auth/login", {"identifier": "victim", "password": DEFAULT_PASSWORD})
        assert by_password.status_code == 200, by_password.content
        assert _code_login_from_home() == 200
