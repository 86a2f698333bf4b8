"""Password policy (SPEC §1): 12..128 characters, NFKC, no truncation, common and context words, Argon2id."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from billing_center.accounts.models import Account
from billing_center.accounts.passwords import context_words, normalize_password

UNUSUAL = "quiet violet harbour lamps"


def _full_width(text: str) -> str:
    """The same text typed on a full-width (CJK) keyboard layout."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def _codes(password: str, user: Account | None = None) -> set[str]:
    try:
        validate_password(normalize_password(password), user=user)
    except ValidationError as exc:
        return {error.code for error in exc.error_list}
    return set()


def test_minimum_length_is_twelve():
    # given an 11- and a 12-character unusual password / when validated / then only 11 is too short
    assert "password_too_short" in _codes("qz7!vk2#mw9")
    assert _codes("qz7!vk2#mw9x") == set()


def test_maximum_length_is_128():
    # given passwords of 128 and 129 characters / when validated / then only 129 is too long
    assert _codes("x7" * 64) == set()
    assert "password_too_long" in _codes("x7" * 64 + "q")


def test_length_is_counted_in_characters_not_bytes():
    # given 12 Chinese characters (36 bytes in UTF-8) / when validated / then it is long enough
    assert _codes("密码安全测试长度足够了吗") == set()


def test_common_password_is_rejected():
    # given a 12-character password from Django's common list / when validated / then it is refused
    assert "password_too_common" in _codes("password1234")


@pytest.mark.parametrize(
    ("password", "field"),
    [
        ("my-holder0001-secret", "username"),
        ("initech rocks forever 9", "enterprise name"),
        ("zz-jane.doe-zz-1234", "email local part"),
        ("call 13800138000 now", "phone digits"),
    ],
)
def test_context_words_are_rejected(password, field):
    # given an account with username, enterprise name, email and phone
    user = Account(
        username="holder0001", enterprise_name="Initech", email="jane.doe@example.com", phone="+8613800138000"
    )
    # when a password containing one of them is validated / then it is refused
    assert "password_context_word" in _codes(password, user), field


def test_phone_context_words_include_the_national_number():
    # given a US mobile number / when its context words are computed
    words = context_words(Account(phone="+16502530000"))
    # then a password holding just the national number is caught too
    assert {"16502530000", "6502530000"} <= words


def test_context_words_cover_every_identifier():
    # given an account / when its context words are computed / then each identifier contributes
    user = Account(
        username="holder0001",
        enterprise_name="Initech Global",
        email="jane.doe@example.com",
        phone="+8613800138000",
    )
    words = context_words(user)
    # then
    assert {
        "holder0001",
        "initech",
        "global",
        "initechglobal",
        "jane.doe",
        "8613800138000",
        "13800138000",
    } <= words


def test_password_is_nfkc_normalized_before_hashing(db):
    # given an account whose password was typed in full-width characters
    account = Account(username="fullwidth", email="fw@example.com", enterprise_name="FW")
    account.set_password(_full_width("quiet violet harbour"))
    # when the ASCII spelling is checked / then it is the same password
    assert account.check_password("quiet violet harbour")


def test_long_password_is_not_truncated(db):
    # given a 100-character password
    password = "a" * 99 + "b"
    account = Account(username="longpass", email="lp@example.com", enterprise_name="LP")
    account.set_password(password)
    # when one differing only in the last character is checked / then it fails
    assert account.check_password(password)
    assert not account.check_password("a" * 99 + "c")
    assert not account.check_password("a" * 99)


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2id(db):
    # given an account with a password / when it is stored
    account = Account(username="argon", email="ar@example.com", enterprise_name="AR")
    account.set_password(UNUSUAL)
    # then the hash is Argon2id
    assert account.password.startswith("argon2$argon2id$")
    assert identify_hasher(account.password).algorithm == "argon2"
