"""core.updates.model_update: saves only what changed and returns the diff for the audit row."""

from __future__ import annotations

import pytest

from billing_center.accounts.models import Account
from billing_center.core.updates import model_update
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_only_changed_fields_are_saved_and_reported(django_assert_num_queries):
    # given an account and a copy of the same row
    account = AccountFactory(enterprise_name="Old Name", contact_name="Li Lei")
    copy = Account.objects.get(pk=account.pk)
    before = copy.updated_at
    # when two fields are given, one of them unchanged, and one left as None
    with django_assert_num_queries(1):
        diff = model_update(
            instance=account,
            data={"enterprise_name": "New Name", "contact_name": "Li Lei", "region": None},
            also=copy,
        )
    # then the diff names just the changed field, both copies carry it, and the row is stamped
    assert (diff.old, diff.new) == ({"enterprise_name": "Old Name"}, {"enterprise_name": "New Name"})
    stored = Account.objects.get(pk=account.pk)
    assert stored.enterprise_name == copy.enterprise_name == "New Name"
    assert stored.updated_at > before


def test_nothing_changed_writes_nothing(django_assert_num_queries):
    account = AccountFactory(enterprise_name="Same")
    with django_assert_num_queries(0):
        diff = model_update(instance=account, data={"enterprise_name": "Same"})
    assert not diff and diff.old == diff.new == {}
