"""Profile edits (SPEC §3 Profile), service level."""

from __future__ import annotations

import pytest

from billing_center.accounts.models import Account
from billing_center.accounts.services.profile import profile_update
from billing_center.audit.models import AuditEvent
from billing_center.core.errors import ValidationFailed
from tests.accounts.settings_support import META
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_changed_fields_are_saved_and_audited_with_old_and_new_values():
    # given a holder with an enterprise name and no industry
    account = AccountFactory(enterprise_name="Acme Ltd")
    # when they edit the name and industry, and send the contact name unchanged
    profile_update(
        account=account,
        changes={"enterprise_name": "  Acme   Observability  ", "industry": "finance", "contact_name": ""},
        meta=META,
    )
    # then the values are stored (whitespace normalized) and one audit row lists only what changed
    stored = Account.objects.get(pk=account.pk)
    assert (stored.enterprise_name, stored.industry) == ("Acme Observability", "finance")
    row = AuditEvent.objects.get(event="profile.updated", account=account)
    assert row.old == {"enterprise_name": "Acme Ltd", "industry": ""}
    assert row.new == {"enterprise_name": "Acme Observability", "industry": "finance"}
    assert row.ip == META.ip


def test_nothing_changed_writes_nothing():
    # given a holder
    account = AccountFactory(region="europe")
    # when they save the same values
    profile_update(account=account, changes={"region": "europe"}, meta=META)
    # then no audit row is written
    assert not AuditEvent.objects.filter(event="profile.updated").exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("enterprise_name", "   ", "required"),
        ("enterprise_name", "x" * 101, "too_long"),
        ("industry", "piracy", "invalid_choice"),
        ("region", "moon", "invalid_choice"),
        ("introduction", "y" * 501, "too_long"),
        ("contact_name", "z" * 51, "too_long"),
        ("contact_name", "Li\x00Lei", "invalid_characters"),
        ("time_zone", "Mars/Olympus_Mons", "invalid_choice"),
        ("email", "someone@example.com", "field_not_editable"),
        ("username", "renamed", "field_not_editable"),
    ],
)
def test_invalid_values_are_refused_and_nothing_is_saved(field, value, code):
    # given a holder
    account = AccountFactory(enterprise_name="Acme Ltd")
    # when they send an invalid value (or a field that is not a profile field)
    with pytest.raises(ValidationFailed) as caught:
        profile_update(account=account, changes={"enterprise_name": "Renamed", field: value}, meta=META)
    # then it is refused on that field and nothing is saved
    assert (caught.value.field, caught.value.code) == (field, code)
    assert Account.objects.get(pk=account.pk).enterprise_name == "Acme Ltd"


def test_limits_are_inclusive():
    # given a holder
    account = AccountFactory()
    # when values sit exactly at their limits
    profile_update(
        account=account,
        changes={"enterprise_name": "n" * 100, "introduction": "i" * 500, "contact_name": "c" * 50},
        meta=META,
    )
    # then they are accepted
    stored = Account.objects.get(pk=account.pk)
    assert (len(stored.enterprise_name), len(stored.introduction), len(stored.contact_name)) == (100, 500, 50)


def test_a_chosen_time_zone_is_saved_and_audited():
    # given a holder reading times by region
    account = AccountFactory(region="cn-east", time_zone="")
    # when they choose a zone, then it is stored and the change audited
    profile_update(account=account, changes={"time_zone": "Europe/Berlin"}, meta=META)
    assert Account.objects.get(pk=account.pk).time_zone == "Europe/Berlin"
    row = AuditEvent.objects.get(event="profile.updated", account=account)
    assert (row.old, row.new) == ({"time_zone": ""}, {"time_zone": "Europe/Berlin"})
