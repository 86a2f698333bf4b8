from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.contracts.models import Contract
from tests.contracts.conftest import add_attachment
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/contracts"


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_list_is_newest_first_by_signing_date_then_id_and_hides_drafts(holder_client, holder, other_holder):
    # given contracts signed on various days (two on the same day), a draft, and another holder's
    old = ContractFactory(account=holder, signed_on=_days(-300), starts_on=_days(-300))
    same_day_a = ContractFactory(account=holder, signed_on=_days(-10), starts_on=_days(-10))
    same_day_b = ContractFactory(account=holder, signed_on=_days(-10), starts_on=_days(-10))
    newest = ContractFactory(account=holder, signed_on=_days(-1), starts_on=_days(-1))
    ContractFactory(account=holder, staff_status="draft")
    ContractFactory(account=other_holder)
    # when the holder lists them
    response = holder_client.get(LIST)
    # then: newest signing date first, ties by id descending, no draft, nothing of others
    assert _ids(response) == [newest.pk, same_day_b.pk, same_day_a.pk, old.pk]
    assert response.json()["next_cursor"] is None


def test_list_item_shape_keeps_the_amount_exact(holder_client, holder):
    contract = ContractFactory(account=holder, amount="1234567890123.45")
    item = holder_client.get(LIST).json()["items"][0]
    assert item == {
        "id": contract.pk,
        "number": contract.number,
        "title": contract.title,
        "type": "order",
        "currency": "CNY",
        "amount": "1234567890123.45",
        "signed_on": contract.signed_on.isoformat(),
        "starts_on": contract.starts_on.isoformat(),
        "ends_on": contract.ends_on.isoformat(),
        "status": "active",
        "terminated_on": None,
    }


def test_filter_by_status(holder_client, holder):
    # given one contract in each holder-visible status
    active = ContractFactory(account=holder)
    pending = ContractFactory(account=holder, signed_on=_days(-1), starts_on=_days(5), ends_on=_days(50))
    expired = ContractFactory(account=holder, signed_on=_days(-400), starts_on=_days(-400), ends_on=_days(-40))
    terminated = ContractFactory(account=holder, staff_status="terminated", terminated_on=_days(-1))
    expected = {"active": active, "pending": pending, "expired": expired, "terminated": terminated}
    for status, contract in expected.items():
        # when filtering by the status, then only that contract is listed
        assert _ids(holder_client.get(LIST, {"status": status})) == [contract.pk], status
    # and "draft" is not a status a holder can ask for
    assert holder_client.get(LIST, {"status": "draft"}).status_code == 422


def test_search_by_number_prefix_or_title_words(holder_client, holder):
    # given contracts with distinct numbers and titles
    by_number = ContractFactory(account=holder, number="HT-2024-0007", title="Annual order")
    by_title = ContractFactory(account=holder, number="X-1", title="Log Analytics Renewal")
    ContractFactory(account=holder, number="Y-2", title="Something else")
    # when searching (case-insensitively) by number prefix, then by a word of the title
    assert _ids(holder_client.get(LIST, {"q": "ht-2024"})) == [by_number.pk]
    assert _ids(holder_client.get(LIST, {"q": "analytics"})) == [by_title.pk]
    # and a number is not matched in the middle (prefix only), while a title is
    assert _ids(holder_client.get(LIST, {"q": "2024-0007"})) == []
    # and LIKE wildcards are literal
    assert _ids(holder_client.get(LIST, {"q": "%"})) == []


def test_filter_by_signing_date_range_inclusive(holder_client, holder):
    first = ContractFactory(account=holder, signed_on=dt.date(2024, 1, 1), starts_on=dt.date(2024, 1, 1))
    middle = ContractFactory(account=holder, signed_on=dt.date(2024, 6, 1), starts_on=dt.date(2024, 6, 1))
    ContractFactory(account=holder, signed_on=dt.date(2024, 12, 31), starts_on=dt.date(2024, 12, 31))
    response = holder_client.get(LIST, {"signed_from": "2024-01-01", "signed_to": "2024-06-01"})
    assert _ids(response) == [middle.pk, first.pk]
    reversed_range = holder_client.get(LIST, {"signed_from": "2024-06-02", "signed_to": "2024-06-01"})
    assert reversed_range.status_code == 422
    assert reversed_range.json()["code"] == "contract_date_range_invalid"


def test_filters_combine(holder_client, holder):
    match = ContractFactory(account=holder, title="APM Order", signed_on=_days(-5), starts_on=_days(-5))
    ContractFactory(account=holder, title="APM Order", signed_on=_days(-500), starts_on=_days(-500), ends_on=_days(-100))
    ContractFactory(account=holder, title="RUM Order", signed_on=_days(-5), starts_on=_days(-5))
    response = holder_client.get(LIST, {"q": "apm", "status": "active", "signed_from": _days(-30).isoformat()})
    assert _ids(response) == [match.pk]


def test_cursor_pages_are_stable_while_contracts_are_added(holder_client, holder):
    # given 5 contracts, read in pages of 2
    contracts = [ContractFactory(account=holder, signed_on=_days(-i), starts_on=_days(-i)) for i in range(1, 6)]
    first = holder_client.get(LIST, {"limit": 2}).json()
    # when new contracts arrive (newer ones, and one signed the same day as a row already served)
    ContractFactory(account=holder, signed_on=_days(0), starts_on=_days(0))
    ContractFactory(account=holder, signed_on=_days(-2), starts_on=_days(-2))
    second = holder_client.get(LIST, {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = holder_client.get(LIST, {"limit": 2, "cursor": second["next_cursor"]}).json()
    # then the original rows are each served exactly once, in order, without repeats
    served = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert served == [contract.pk for contract in contracts]
    assert third["next_cursor"] is None


def test_bad_cursor_and_limit_are_problems_not_errors(holder_client):
    bad = holder_client.get(LIST, {"cursor": "forged"})
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"
    assert holder_client.get(LIST, {"limit": 0}).status_code == 422
    assert holder_client.get(LIST, {"limit": 101}).status_code == 422
    assert holder_client.get(LIST, {"q": "x" * 101}).status_code == 422


def test_anonymous_gets_401(db):
    response = Client().get(LIST)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_detail_lists_attachments_with_download_links(holder_client, holder):
    contract = ContractFactory(account=holder)
    attachment = add_attachment(contract, name="Order 合同.pdf")
    body = holder_client.get(f"{LIST}/{contract.pk}").json()
    assert body["number"] == contract.number
    assert body["attachments"] == [
        {
            "id": attachment.pk,
            "name": "Order 合同.pdf",
            "size": attachment.size,
            "sha256": attachment.sha256,
            "content_type": "application/pdf",
            "uploaded_at": attachment.created_at.isoformat(),
            "download_url": f"{LIST}/{contract.pk}/attachments/{attachment.pk}",
        }
    ]


def test_other_holders_and_draft_contracts_answer_404(holder_client, holder, other_holder):
    # given another holder's contract with an attachment, and the holder's own draft with one
    theirs = ContractFactory(account=other_holder)
    their_file = add_attachment(theirs)
    draft = ContractFactory(account=holder, staff_status="draft")
    draft_file = add_attachment(draft)
    mine = ContractFactory(account=holder)
    my_file = add_attachment(mine)
    # then every path to them answers the same 404 problem as a non-existent id
    for path in (
        f"{LIST}/{theirs.pk}",
        f"{LIST}/{draft.pk}",
        f"{LIST}/999999",
        f"{LIST}/{theirs.pk}/attachments/{their_file.pk}",
        f"{LIST}/{draft.pk}/attachments/{draft_file.pk}",
        # my contract id with someone else's attachment id
        f"{LIST}/{mine.pk}/attachments/{their_file.pk}",
        f"{LIST}/{theirs.pk}/attachments/{my_file.pk}",
    ):
        response = holder_client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"
    assert not AuditEvent.objects.filter(event="contract.attachment_downloaded").exists()


def test_download_streams_the_pdf_with_a_safe_disposition_and_is_audited(holder_client, holder):
    # given my contract with a PDF whose name has non-ASCII characters and a quote
    contract = ContractFactory(account=holder)
    attachment = add_attachment(contract, name='框架"协议.pdf', text="signed")
    # when I download it
    response = holder_client.get(f"{LIST}/{contract.pk}/attachments/{attachment.pk}", HTTP_USER_AGENT="pytest")
    # then the bytes are the stored ones, with PDF type, ASCII fallback and UTF-8 file name
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert body == attachment.file.open("rb").read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"contract.pdf\"; filename*=UTF-8''%E6%A1%86%E6%9E%B6_%E5%8D%8F%E8%AE%AE.pdf"
    )
    assert response["Cache-Control"] == "private, no-store"
    # and the download is audited on my account
    event = AuditEvent.objects.get(event="contract.attachment_downloaded")
    assert (event.account, event.actor, event.target_id) == (holder, holder, str(attachment.pk))
    assert event.user_agent == "pytest"


def test_export_csv_has_the_filtered_rows_and_neutralizes_formulas(holder_client, holder):
    # given contracts whose titles look like spreadsheet formulas
    dangerous = ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\tTab", "\rReturn"]
    for index, title in enumerate(dangerous):
        ContractFactory(account=holder, number=f"F-{index}", title=title, signed_on=_days(-index), starts_on=_days(-index))
    ContractFactory(account=holder, number="HIDDEN", staff_status="draft")
    ContractFactory(account=holder, number="EXP-1", title="Expired", signed_on=_days(-900), starts_on=_days(-900), ends_on=_days(-500))
    # when exporting the active ones
    response = holder_client.get(f"{LIST}/export.csv", {"status": "active"})
    # then a streamed CSV with a BOM, a header and one row per matching contract
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contracts-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:3] == ["Contract number", "Title", "Type"]
    assert [row[0] for row in rows[1:]] == [f"F-{i}" for i in range(len(dangerous))]
    # and every cell that a spreadsheet would run is prefixed with a quote
    assert [row[1] for row in rows[1:]] == ["'" + title for title in dangerous]
    assert rows[1][2:] == ["Order", "CNY", "12800.00", _days(0).isoformat(), _days(0).isoformat(), rows[1][7], "Active", ""]
    assert AuditEvent.objects.filter(event="contract.exported", account=holder).exists()


def test_export_is_not_captured_by_the_detail_route_and_streams_many_batches(holder_client, holder, monkeypatch):
    # given more contracts than one export batch
    import billing_center.contracts.selectors as selectors

    monkeypatch.setattr(selectors, "EXPORT_BATCH", 3)
    for index in range(8):
        ContractFactory(account=holder, number=f"B-{index}", signed_on=_days(-(index // 2)), starts_on=_days(-5))
    # when exporting everything
    response = holder_client.get(f"{LIST}/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    # then all rows are there once, in list order
    expected = list(
        Contract.objects.filter(account=holder).order_by("-signed_on", "-id").values_list("number", flat=True)
    )
    assert [row[0] for row in rows[1:]] == expected


def test_export_of_another_holder_shows_nothing_of_mine(holder, other_holder):
    ContractFactory(account=holder)
    client = Client()
    client.force_login(other_holder)
    rows = b"".join(client.get(f"{LIST}/export.csv").streaming_content).decode().splitlines()
    assert len(rows) == 1  # the header only


@pytest.mark.parametrize("count", [1, 1000])
def test_list_and_detail_run_a_constant_number_of_queries(holder_client, holder, count, django_assert_num_queries):
    # given `count` contracts (bulk) and one with two attachments
    contracts = [
        ContractFactory.build(account=holder, number=f"N-{index:05d}", signed_on=_days(-(index % 700)))
        for index in range(count)
    ]
    Contract.objects.bulk_create(contracts)
    target = Contract.objects.filter(account=holder).first()
    add_attachment(target)
    add_attachment(target)
    cursor = holder_client.get(LIST, {"limit": 1}).json()["next_cursor"]
    # then a first page, a later page and a detail each take: the session with its account + the read
    with django_assert_num_queries(2):
        assert holder_client.get(LIST).status_code == 200
    if cursor:
        with django_assert_num_queries(2):
            assert holder_client.get(LIST, {"cursor": cursor}).status_code == 200
    with django_assert_num_queries(2):
        assert holder_client.get(LIST, {"status": "active", "q": "order"}).status_code == 200
    # detail: the session with its account + contract + its attachments
    with django_assert_num_queries(3):
        assert holder_client.get(f"{LIST}/{target.pk}").status_code == 200
