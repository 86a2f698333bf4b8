"""The test suite's password hashing: MD5 by default (fast), Argon2id in tests marked ``argon2``."""

from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD, AccountFactory

pytestmark = pytest.mark.django_db


def test_an_unmarked_test_hashes_fast_and_still_verifies():
    account = AccountFactory()
    assert account.password.startswith("md5$")
    assert account.check_password(DEFAULT_PASSWORD)


@pytest.mark.argon2
def test_a_marked_test_keeps_the_production_hasher(settings):
    account = AccountFactory()
    assert settings.PASSWORD_HASHERS[0] == "billing_center.core.hashers.BoundedArgon2PasswordHasher"
    assert account.password.startswith("argon2$argon2id$")
