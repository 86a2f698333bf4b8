from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from tests.contracts.conftest import add_attachment
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_list_page_has_labelled_filters_and_hides_drafts(holder_client, holder):
    ContractFactory(account=holder, number="VISIBLE-1")
    ContractFactory(account=holder, number="DRAFT-1", staff_status="draft")
    page = holder_client.get("/contracts/").content.decode()
    for label in ("Status", "Search by number or title", "Signed from", "Signed to"):
        assert f">{label}</label>" in page
    assert "VISIBLE-1" in page
    assert "DRAFT-1" not in page
    assert 'aria-current="page"' in page  # the Account Settings menu marks Contract Management


def test_list_page_filters_and_paginates_with_a_next_page_link(holder_client, holder, monkeypatch):
    monkeypatch.setattr("billing_center.contracts.views.PAGE_SIZE", 2)
    for index in range(3):
        ContractFactory(account=holder, number=f"APM-{index}", title="APM Order", signed_on=_days(-index))
    ContractFactory(account=holder, number="RUM-1", title="RUM Order")
    first = holder_client.get("/contracts/", {"q": "apm"})
    html = first.content.decode()
    assert "APM-0" in html and "APM-1" in html and "APM-2" not in html and "RUM-1" not in html
    next_url = first.context["next_url"]
    assert "q=apm" in next_url and "cursor=" in next_url
    assert "/contracts/export.csv?q=apm" in html
    second = holder_client.get("/contracts/" + next_url).content.decode()
    assert "APM-2" in second and "APM-0" not in second


def test_invalid_filters_show_form_errors_not_a_crash(holder_client):
    response = holder_client.get("/contracts/", {"signed_from": "2025-02-01", "signed_to": "2025-01-01"})
    assert response.status_code == 200
    assert "The start of the date range must not be after its end." in response.content.decode()
    forged = holder_client.get("/contracts/", {"cursor": "nope"})
    assert "The cursor is not valid." in forged.content.decode()


def test_detail_page_and_download_link(holder_client, holder):
    contract = ContractFactory(account=holder, title="Framework 2025")
    attachment = add_attachment(contract, name="signed.pdf")
    page = holder_client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "Framework 2025" in page
    link = f"/contracts/{contract.pk}/attachments/{attachment.pk}/download"
    assert link in page
    assert 'aria-label="Download signed.pdf"' in page
    response = holder_client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(event="contract.attachment_downloaded").count() == 1


def test_console_answers_404_for_other_holders_and_drafts(holder_client, other_holder, holder):
    theirs = ContractFactory(account=other_holder)
    their_file = add_attachment(theirs)
    draft = ContractFactory(account=holder, staff_status="draft")
    assert holder_client.get(f"/contracts/{theirs.pk}/").status_code == 404
    assert holder_client.get(f"/contracts/{draft.pk}/").status_code == 404
    # and the page names itself like every other not-found page
    assert "<title>Contract not found · Billing Center</title>" in holder_client.get(f"/contracts/{draft.pk}/").content.decode()
    assert holder_client.get(f"/contracts/{theirs.pk}/attachments/{their_file.pk}/download").status_code == 404


def test_console_export_uses_the_same_filters(holder_client, holder):
    ContractFactory(account=holder, number="KEEP-1", title="Keep")
    ContractFactory(account=holder, number="DROP-1", title="Drop")
    text = b"".join(holder_client.get("/contracts/export.csv", {"q": "keep"}).streaming_content).decode()
    assert "KEEP-1" in text and "DROP-1" not in text


def test_pages_render_in_simplified_chinese(holder):
    from django.test import Client

    holder.language = "zh-hans"
    holder.save(update_fields=["language"])
    client = Client()
    client.force_login(holder)
    response = client.get("/contracts/")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    from django.test import Client

    response = Client().get("/contracts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login")
