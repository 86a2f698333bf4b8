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
