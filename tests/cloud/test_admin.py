"""Back office: read-only lists with their filters, what each call changed, re-running failed calls."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.cloud.models import CloudAccount, InboxEvent, InboxStatus
from tests.accounts.two_factor_support import pass_second_factor
from tests.cloud.conftest import create_params
from tests.cloud.factories import CloudAccountFactory
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

ACCOUNTS = "/backoffice/cloud/cloudaccount/"
INBOX = "/backoffice/cloud/inboxevent/"


@pytest.fixture
def operator_client() -> Client:
    client = Client()
    operator = AccountFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    return pass_second_factor(client, operator)  # the back office needs two-factor


def test_cloud_accounts_filter_by_vendor_state_and_linked(operator_client, django_assert_num_queries):
    holder = AccountFactory()
    CloudAccountFactory(vendor="aliyun", instance_id="ali-active", state="active")
    CloudAccountFactory(vendor="huawei", instance_id="hw-suspended", state="suspended")
    CloudAccountFactory(vendor="huawei", instance_id="hw-linked", account=holder, linked_at=timezone.now())
    for _ in range(5):
        CloudAccountFactory()
    operator_client.get(ACCOUNTS)  # warm-up: the session's first request may write its last-seen time
    with django_assert_num_queries(5):  # the session with its account, two-factor device, the page's 3
        page = operator_client.get(ACCOUNTS)
    assert page.status_code == 200
    assert "ali-active" in page.content.decode()
    huawei = operator_client.get(ACCOUNTS, {"vendor__exact": "huawei"}).content.decode()
    assert "hw-suspended" in huawei and "ali-active" not in huawei
    suspended = operator_client.get(ACCOUNTS, {"state__exact": "suspended"}).content.decode()
    assert "hw-suspended" in suspended and "hw-linked" not in suspended
    linked = operator_client.get(ACCOUNTS, {"linked": "yes"}).content.decode()
    assert "hw-linked" in linked and "ali-active" not in linked
    unlinked = operator_client.get(ACCOUNTS, {"linked": "no"}).content.decode()
    assert "ali-active" in unlinked and "hw-linked" not in unlinked


def test_cloud_accounts_are_read_only(operator_client):
    account = CloudAccountFactory()
    assert operator_client.get(f"{ACCOUNTS}add/").status_code == 403
    detail = operator_client.get(f"{ACCOUNTS}{account.pk}/change/")
    assert detail.status_code == 200 and 'type="submit" value="Save"' not in detail.content.decode()
    assert operator_client.post(f"{ACCOUNTS}{account.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CloudAccount.objects.filter(pk=account.pk).exists()


def test_inbox_row_shows_what_the_call_changed(operator_client, aliyun, django_assert_num_queries):
    aliyun.get(**create_params())
    aliyun.get(action="expiredInstance", instanceId="2001")
    operator_client.get(INBOX)  # warm-up: the session's first request may write its last-seen time
    with django_assert_num_queries(6):  # with the back office's two-factor device check
        page = operator_client.get(INBOX)
    content = page.content.decode()
    assert "state: active → suspended" in content
    assert "state: pending → active" in content
    row = InboxEvent.objects.get(action="expiredInstance")
    detail = operator_client.get(f"{INBOX}{row.pk}/change/").content.decode()
    assert "suspended" in detail and "expiredInstance" in detail
    assert operator_client.get(INBOX, {"status__exact": "failed"}).context["cl"].result_count == 0
    assert operator_client.get(INBOX, {"vendor__exact": "aliyun"}).context["cl"].result_count == 2


def test_operator_reruns_a_failed_row(operator_client, aliyun):
    # given a renewal kept failed because its instance did not exist yet
    renew = {"action": "renewInstance", "instanceId": "2001", "orderId": "3002", "expiredOn": "2028-01-01 00:00:00"}
    aliyun.get(**renew)
    row = InboxEvent.objects.get()
    assert row.status == InboxStatus.FAILED
    aliyun.get(**create_params())
    # when the operator re-runs it from the inbox list
    response = operator_client.post(INBOX, {"action": "rerun_failed", "_selected_action": [row.pk]}, follow=True)
    # then it is processed, and the re-run is audited with the operator
    assert "1 call processed." in response.content.decode()
    row.refresh_from_db()
    assert row.status == InboxStatus.PROCESSED
    assert AuditEvent.objects.filter(event="cloud_inbox.retried").count() == 1


def test_rerun_reports_a_row_that_fails_again_and_skips_processed_ones(operator_client, aliyun):
    aliyun.get(action="expiredInstance", instanceId="ghost")
    aliyun.get(**create_params())
    failed = InboxEvent.objects.get(status=InboxStatus.FAILED)
    processed = InboxEvent.objects.get(status=InboxStatus.PROCESSED)
    response = operator_client.post(
        INBOX, {"action": "rerun_failed", "_selected_action": [failed.pk, processed.pk]}, follow=True
    )
    content = response.content.decode()
    assert "1 call failed again." in content and "1 call was already processed." in content
    failed.refresh_from_db()
    assert failed.status == InboxStatus.FAILED and failed.attempts == 2
