"""The certification review queue in the back office, the accounts and audit log pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from billing_center.audit.models import AuditEvent
from billing_center.certification.models import Certification
from billing_center.certification.services import certification_submit
from tests.accounts.two_factor_support import pass_second_factor
from tests.certification.conftest import VALID_USCC, pdf_bytes, png_bytes, upload
from tests.factories import AccountFactory
from tests.outbox import outbox_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return pass_second_factor(client, operator)


def _pending(holder, content=None, name="l.png"):
    return certification_submit(
        account=holder,
        licence_name="Acme Ltd",
        taxpayer_id=VALID_USCC,
        upload=upload(content if content is not None else png_bytes(), name),
    )


def test_queue_lists_pending_first_and_searches(operator_client, holder, operator):
    # given a verified and a pending certification
    older = _pending(AccountFactory(username="verifiedco"))
    from billing_center.certification.services import certification_approve

    certification_approve(certification=older, operator=operator)
    pending = _pending(holder)
    # when the queue is opened, then the pending one comes first; search finds by taxpayer id and username
    body = operator_client.get(reverse("admin:certification_certification_changelist")).content.decode()
    assert body.index(holder.username) < body.index("verifiedco")
    found = operator_client.get(
        reverse("admin:certification_certification_changelist"), {"q": holder.username}
    )
    assert f"/{pending.pk}/change/" in found.content.decode()
    by_id = operator_client.get(reverse("admin:certification_certification_changelist"), {"q": VALID_USCC})
    assert by_id.status_code == 200


def test_change_page_shows_the_licence_inline_and_the_decisions(operator_client, holder):
    pending = _pending(holder)
    body = operator_client.get(
        reverse("admin:certification_certification_change", args=[pending.pk])
    ).content.decode()
    assert f'<img src="{reverse("admin:certification_licence", args=[pending.pk])}"' in body
    assert reverse("admin:certification_approve", args=[pending.pk]) in body
    assert reverse("admin:certification_reject", args=[pending.pk]) in body


def test_operator_opens_the_licence_and_it_is_audited(operator_client, holder, operator):
    pending = _pending(holder, content=pdf_bytes(), name="l.pdf")
    response = operator_client.get(reverse("admin:certification_licence", args=[pending.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    row = AuditEvent.objects.get(event="certification.licence_viewed")
    assert (row.actor, row.account) == (operator, holder)


def test_approve_in_the_back_office_is_audited_with_operator_old_and_new(
    operator_client, holder, operator, django_capture_on_commit_callbacks
):
    pending = _pending(holder)
    url = reverse("admin:certification_approve", args=[pending.pk])
    assert "Approve" in operator_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(url)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "verified"
    row = AuditEvent.objects.get(event="certification.approved")
    assert (row.actor, row.old["state"], row.new["state"]) == (operator, "pending", "verified")
    assert "verified" in outbox_messages(holder.email)[0]["subject"]
    # approving again is refused with a message, not a 500
    again = operator_client.post(url, follow=True)
    assert again.status_code == 200
    assert "Only a certification under review can be decided." in again.content.decode()


def test_reject_needs_a_reason_and_is_audited(operator_client, holder, operator):
    pending = _pending(holder)
    url = reverse("admin:certification_reject", args=[pending.pk])
    empty = operator_client.post(url, {"reason": ""})
    assert empty.status_code == 200
    assert Certification.objects.get(pk=pending.pk).state == "pending"
    operator_client.post(url, {"reason": "The licence has expired"})
    pending.refresh_from_db()
    assert (pending.state, pending.reason) == ("rejected", "The licence has expired")
    row = AuditEvent.objects.get(event="certification.rejected")
    assert (row.actor, row.old["reason"], row.new["reason"]) == (operator, "", "The licence has expired")


def test_staff_without_the_change_permission_cannot_decide(holder):
    viewer = AccountFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_certification"))
    client = Client()
    client.force_login(viewer)
    pass_second_factor(client, viewer)
    pending = _pending(holder)
    assert (
        client.get(reverse("admin:certification_certification_change", args=[pending.pk])).status_code == 200
    )
    assert client.post(reverse("admin:certification_approve", args=[pending.pk])).status_code == 403
    assert Certification.objects.get(pk=pending.pk).state == "pending"


def test_the_certification_row_cannot_be_edited_added_or_deleted(operator_client, holder):
    pending = _pending(holder)
    change = reverse("admin:certification_certification_change", args=[pending.pk])
    operator_client.post(change, {"state": "verified", "taxpayer_id": "X"})
    assert Certification.objects.get(pk=pending.pk).state == "pending"
    assert operator_client.get(reverse("admin:certification_certification_add")).status_code == 403
    delete = reverse("admin:certification_certification_delete", args=[pending.pk])
    assert operator_client.post(delete, {"post": "yes"}).status_code == 403


def test_account_page_never_shows_the_password_hash(operator_client, holder):
    body = operator_client.get(reverse("admin:accounts_account_change", args=[holder.pk])).content.decode()
    assert holder.password not in body
    assert "argon2" not in body
    for term in (holder.username, holder.email, holder.enterprise_name):
        found = operator_client.get(
            reverse("admin:accounts_account_changelist"), {"q": term}
        ).content.decode()
        assert f"/{holder.pk}/change/" in found


def test_audit_log_is_read_only_and_filters_by_account_actor_event_and_date(
    operator_client, holder, operator
):
    _pending(holder)
    changelist = reverse("admin:audit_auditevent_changelist")
    for params in (
        {"account__id__exact": holder.pk},
        {"actor__id__exact": holder.pk},
        {"event__exact": "certification.submitted"},
        {"actor_kind": "operator"},
        {"actor_kind": "system"},
        {"created_at__year": "2026"},
    ):
        response = operator_client.get(changelist, params)
        assert response.status_code == 200, params
        assert "?e=1" not in response.get("Location", "")
    only_holder = operator_client.get(changelist, {"account__id__exact": holder.pk}).content.decode()
    assert "certification.submitted" in only_holder or "Enterprise certification submitted" in only_holder
    row = AuditEvent.objects.filter(account=holder).first()
    change = reverse("admin:audit_auditevent_change", args=[row.pk])
    operator_client.post(change, {"event": "forged"})
    row.refresh_from_db()
    assert row.event != "forged"
    assert (
        operator_client.post(
            reverse("admin:audit_auditevent_delete", args=[row.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
