import pytest

from billing_center.audit.models import AuditEvent
from billing_center.core.errors import ValidationFailed
from billing_center.core.pagination import paginate_desc


@pytest.mark.django_db
def test_keyset_pages_cover_every_row_once_even_when_rows_are_added():
    # given 25 events
    for i in range(25):
        AuditEvent.objects.create(event=f"test.{i}")
    queryset = AuditEvent.objects.filter(event__startswith="test.")
    # when reading page one, then adding newer rows, then reading on
    first = paginate_desc(queryset, keys=("created_at", "id"), cursor=None, limit=10)
    for i in range(5):
        AuditEvent.objects.create(event=f"test.new{i}")
    second = paginate_desc(queryset, keys=("created_at", "id"), cursor=first.next_cursor, limit=10)
    third = paginate_desc(queryset, keys=("created_at", "id"), cursor=second.next_cursor, limit=10)
    # then the original 25 are served exactly once, newest first, and the new rows do not shift pages
    seen = [e.event for e in first.items + second.items + third.items]
    assert seen == [f"test.{i}" for i in reversed(range(25))]
    assert third.next_cursor is None


@pytest.mark.django_db
def test_tampered_cursor_is_rejected():
    AuditEvent.objects.create(event="x")
    with pytest.raises(ValidationFailed):
        paginate_desc(AuditEvent.objects.all(), keys=("created_at", "id"), cursor="abc:def", limit=10)


@pytest.mark.parametrize("limit", [0, 101, -1])
def test_limit_out_of_range_is_rejected(limit):
    with pytest.raises(ValidationFailed):
        paginate_desc(AuditEvent.objects.none(), keys=("id",), cursor=None, limit=limit)


@pytest.mark.django_db
def test_a_cursor_of_one_list_is_refused_on_another():
    # given a cursor of the audit list (created_at, id)
    from billing_center.accounts.models import Account
    from tests.factories import AccountFactory

    for i in range(3):
        AuditEvent.objects.create(event=f"test.{i}")
    cursor = paginate_desc(
        AuditEvent.objects.all(), keys=("created_at", "id"), cursor=None, limit=1
    ).next_cursor
    AccountFactory()
    # when it is replayed on a list of another model, or of the same model with other keys
    for queryset, keys in (
        (Account.objects.all(), ("created_at", "id")),
        (AuditEvent.objects.all(), ("id",)),
    ):
        with pytest.raises(ValidationFailed) as refused:
            paginate_desc(queryset, keys=keys, cursor=cursor, limit=1)
        # then it is an invalid cursor, not a server error
        assert refused.value.code == "invalid_cursor"


@pytest.mark.django_db
def test_cursor_values_are_type_checked_against_the_key_fields():
    # given a correctly signed cursor whose values have the wrong types
    from billing_center.core.pagination import _encode, _salt

    salt = _salt(AuditEvent, ("created_at", "id"))
    for values in (["not a date", 1], ["2026-01-01T00:00:00+00:00", "abc"], [None, 1], [[1], {"a": 1}], [1]):
        # when it is used / then it is an invalid cursor
        with pytest.raises(ValidationFailed) as refused:
            paginate_desc(
                AuditEvent.objects.all(),
                keys=("created_at", "id"),
                cursor=_encode(values, salt=salt),
                limit=1,
            )
        assert refused.value.code == "invalid_cursor"
