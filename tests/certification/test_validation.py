from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from billing_center.certification.validation import licence_name_clean, taxpayer_id_normalize
from billing_center.core.errors import ValidationFailed
from tests.certification.conftest import OTHER_VALID_USCC, VALID_USCC

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize(
    ("given_text", "expected"),
    [
        (VALID_USCC, VALID_USCC),
        (OTHER_VALID_USCC, OTHER_VALID_USCC),
        (" 9111 0000-6000 3734 1l ", VALID_USCC),
        (OTHER_VALID_USCC.lower(), OTHER_VALID_USCC),
    ],
)
def test_valid_codes_are_normalized(given_text, expected):
    # given a valid code in any spelling, when normalized, then the 18 upper-case characters remain
    assert taxpayer_id_normalize(given_text) == expected


@pytest.mark.parametrize(
    "given_text",
    [
        "",
        "91110000600037341",  # 17 characters
        "91110000600037341LX",  # 19 characters
        "91110000600037341M",  # wrong check character
        "9111000060003734IL",  # I is not in the alphabet
        "A1110000600037341L",  # registration department must be digits
        "\uff19\uff11\uff11\uff11\uff10\uff10\uff10\uff10600037341L",  # full-width digits
        "91110000600037341L\x00",
    ],
)
def test_invalid_codes_are_refused_on_the_field(given_text):
    # when an invalid code is normalized, then a validation error names taxpayer_id
    with pytest.raises(ValidationFailed) as caught:
        taxpayer_id_normalize(given_text)
    assert caught.value.field == "taxpayer_id"
    assert caught.value.code == "taxpayer_id_invalid"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=USCC_ALPHABET + "IOSVZ -abc", min_size=0, max_size=22))
def test_property_accepts_exactly_what_stdnum_accepts(text):
    # given any text, then our validator accepts it exactly when python-stdnum's own check does
    try:
        normalized = taxpayer_id_normalize(text)
    except ValidationFailed:
        assert not uscc.is_valid(text)
    else:
        assert uscc.is_valid(text)
        assert normalized == uscc.compact(text)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
def test_property_codes_with_stdnums_check_character_are_valid(prefix, body):
    # given 17 characters and the check character python-stdnum computes, then the code is valid,
    # and any other check character is refused
    base = prefix + body
    check = uscc.calc_check_digit(base)
    assert taxpayer_id_normalize(base + check) == base + check
    wrong = next(char for char in USCC_ALPHABET if char != check)
    with pytest.raises(ValidationFailed):
        taxpayer_id_normalize(base + wrong)


def test_licence_name_is_trimmed_and_bounded():
    assert licence_name_clean("  Acme   Ltd ") == "Acme Ltd"
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(ValidationFailed) as caught:
            licence_name_clean(bad)
        assert caught.value.field == "licence_name"
