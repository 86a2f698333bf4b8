"""Identifier rules (SPEC §1), with property tests for the validators."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_center.accounts.identifiers import (
    identifier_kind,
    normalize_email,
    normalize_phone,
    normalize_username,
)
from billing_center.core.errors import ValidationFailed

USERNAME_TAIL = string.ascii_letters + string.digits + "_.-"
VALID_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]{3,31}")

valid_usernames = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(string.ascii_letters),
    st.text(alphabet=USERNAME_TAIL, min_size=3, max_size=31),
)
cn_mobiles = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["138", "139", "150", "186", "188", "199", "135", "177"]),
    st.text(alphabet=string.digits, min_size=8, max_size=8),
)
local_parts = st.text(alphabet=string.ascii_letters + string.digits + "._+-", min_size=1, max_size=20).filter(
    lambda part: not part.startswith(".") and not part.endswith(".") and ".." not in part
)
domains = st.sampled_from(["example.com", "Example.ORG", "mail.example.cn", "bücher.de", "xn--bcher-kva.de"])


@given(valid_usernames)
def test_every_well_formed_username_is_kept_as_typed(username):
    # given a username of 4..32 characters starting with a letter / when normalized / then it is unchanged
    assert normalize_username(username) == username


@given(st.text(max_size=40))
def test_a_normalized_username_always_follows_the_rules(text):
    # given any text / when normalized
    try:
        username = normalize_username(text)
    except ValidationFailed as exc:
        # then it is refused with a stable code ...
        assert exc.code == "invalid_username"
        return
    # ... or the result obeys every rule
    assert VALID_USERNAME.fullmatch(username)


@pytest.mark.parametrize("username", ["abc", "a" * 33, "1abc", "_abc", "ab cd", "ab@cd", "über", "ab\ncd"])
def test_bad_usernames_are_refused(username):
    # given a username breaking a rule / when normalized / then it is refused
    with pytest.raises(ValidationFailed):
        normalize_username(username)


def test_username_length_bounds():
    # given usernames of exactly 4 and 32 characters / when normalized / then both pass
    assert normalize_username("abcd") == "abcd"
    assert normalize_username("a" * 32) == "a" * 32


@given(local_parts, domains)
def test_email_normalization_is_idempotent_and_case_insensitive(local, domain):
    # given an address / when normalized
    try:
        normalized = normalize_email(f"{local}@{domain}")
    except ValidationFailed:
        return  # a local part the real validator refuses (e.g. all dots) is not an address
    # then normalizing again changes nothing and other casings give the same value
    assert normalize_email(normalized) == normalized
    assert normalize_email(f"{local.upper()}@{domain.upper()}") == normalized
    assert normalized == normalized.lower()


def test_idn_domains_normalize_to_one_form():
    # given the Unicode and the punycode spelling of one IDN domain / when normalized / then they are equal
    assert normalize_email("Anna@BÜCHER.de") == normalize_email("anna@xn--bcher-kva.de") == "anna@bücher.de"


@pytest.mark.parametrize(
    "email", ["plainaddress", "a@b", "x@localhost", "two@@example.com", "a b@example.com", ""]
)
def test_bad_emails_are_refused(email):
    # given malformed addresses / when normalized / then they are refused
    with pytest.raises(ValidationFailed):
        normalize_email(email)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(cn_mobiles, st.sampled_from(["{n}", "+86{n}", "+86 {a} {b} {c}", "0086{n}", "{a}-{b}-{c}"]))
def test_cn_mobile_numbers_in_any_spelling_normalize_to_e164(number, spelling):
    # given a Chinese mobile number written in a national or international form
    typed = spelling.format(n=number, a=number[:3], b=number[3:7], c=number[7:])
    # when normalized / then it is E.164 in region CN (the default for national input)
    assert normalize_phone(typed) == f"+86{number}"
    assert normalize_phone(normalize_phone(typed)) == f"+86{number}"


@pytest.mark.parametrize("phone", ["+86 10 6552 9988", "010-65529988", "12345", "+86 138", "not a phone", ""])
def test_landlines_and_junk_are_not_mobile_numbers(phone):
    # given a fixed-line or malformed number / when normalized / then it is refused
    with pytest.raises(ValidationFailed):
        normalize_phone(phone)


def test_international_mobile_numbers_keep_their_country():
    # given a US number (fixed-line-or-mobile) / when normalized / then its own country code is kept
    assert normalize_phone("+1 650 253 0000") == "+16502530000"


@given(st.text(max_size=40))
def test_identifier_kind_is_total_and_consistent(text):
    # given anything typed into the login box / when classified / then the kind is one of three
    kind = identifier_kind(text)
    assert kind in {"email", "phone", "username"}
    # and a valid username is never mistaken for an email or a phone
    if VALID_USERNAME.fullmatch(text.strip()):
        assert kind == "username"
