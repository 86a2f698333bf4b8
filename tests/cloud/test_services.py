"""The one state machine and the event inbox, independent of any vendor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from billing_center.audit.models import AuditEvent
from billing_center.cloud.inbox import InboxContext, InboxFailed, inbox_process, inbox_retry
from billing_center.cloud.models import CloudAccount, InboxEvent, InboxStatus
from billing_center.cloud.services import (
    ALLOWED_TRANSITIONS,
    TransitionRefused,
    cloud_account_apply,
    cloud_account_record,
    cloud_account_transition,
    cloud_account_update,
)
from tests.cloud.factories import T0, CloudAccountFactory

pytestmark = pytest.mark.django_db


def test_transition_records_time_and_audit():
    # given an active account
    account = CloudAccountFactory(state="active")
    # when it is suspended by a newer event
    changed = cloud_account_transition(
        cloud_account=account, to_state="suspended", event_at=T0 + timedelta(hours=1)
    )
    # then the state, the time of the transition and an audit row are recorded
    account.refresh_from_db()
    assert changed is True
    assert account.state == "suspended"
    assert account.transitions["suspended"] == (T0 + timedelta(hours=1)).isoformat()
    assert account.last_event_at == T0 + timedelta(hours=1)
    row = AuditEvent.objects.get(event="cloud_account.transitioned")
    assert (row.old, row.new) == ({"state": "active"}, {"state": "suspended"})


def test_same_state_is_a_no_op():
    account = CloudAccountFactory(state="active")
    assert (
        cloud_account_transition(cloud_account=account, to_state="active", event_at=T0 + timedelta(1))
        is False
    )
    assert not AuditEvent.objects.filter(event="cloud_account.transitioned").exists()


@pytest.mark.parametrize(
    ("from_state", "to_state", "code"),
    [
        ("active", "pending", "illegal_transition"),
        ("cancelling", "suspended", "illegal_transition"),
        ("released", "active", "terminal_state"),
        ("cancelled", "active", "terminal_state"),
        ("failed", "active", "terminal_state"),
    ],
)
def test_illegal_transitions_are_refused(from_state, to_state, code):
    account = CloudAccountFactory(state=from_state)
    with pytest.raises(TransitionRefused) as refused:
        cloud_account_transition(cloud_account=account, to_state=to_state, event_at=T0 + timedelta(hours=1))
    assert refused.value.code == code
    account.refresh_from_db()
    assert account.state == from_state


def test_an_older_event_never_overrides_a_newer_terminal_state():
    # given an account released by an event at T0+2h
    account = CloudAccountFactory(state="active")
    cloud_account_transition(cloud_account=account, to_state="released", event_at=T0 + timedelta(hours=2))
    # when an older suspension (T0+1h) arrives late
    with pytest.raises(TransitionRefused) as refused:
        cloud_account_transition(
            cloud_account=account, to_state="suspended", event_at=T0 + timedelta(hours=1)
        )
    # then it is refused as stale and the terminal state holds
    assert refused.value.code == "stale_event"
    account.refresh_from_db()
    assert account.state == "released"


def test_every_state_has_a_rule():
    assert set(ALLOWED_TRANSITIONS) == {
        "pending",
        "active",
        "suspended",
        "cancelling",
        "cancelled",
        "released",
        "failed",
    }
    assert ALLOWED_TRANSITIONS["released"] == frozenset()


def test_record_is_idempotent():
    first, created = cloud_account_record(
        vendor="huawei", instance_id="i-1", event_at=T0, vendor_account_id="c1"
    )
    again, created_again = cloud_account_record(
        vendor="huawei", instance_id="i-1", event_at=T0, vendor_account_id="x"
    )
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert again.vendor_account_id == "c1"
    assert first.transitions == {"pending": T0.isoformat()}


def test_update_returns_changes_and_refuses_terminal():
    account = CloudAccountFactory(state="active", expires_at=None)
    changed = cloud_account_update(
        cloud_account=account, event_at=T0 + timedelta(1), changes={"expires_at": T0 + timedelta(30)}
    )
    assert changed == {"expires_at": [None, (T0 + timedelta(30)).isoformat()]}
    released = CloudAccountFactory(state="released")
    with pytest.raises(TransitionRefused):
        cloud_account_update(cloud_account=released, event_at=T0 + timedelta(1), changes={"product": "x"})


def _activate(ctx: InboxContext) -> dict[str, Any]:
    account, _ = cloud_account_record(
        vendor="aliyun", instance_id=ctx.request["id"], event_at=T0, state="pending", meta=ctx.meta
    )
    cloud_account_apply(ctx, cloud_account=account, to_state="active", event_at=T0 + timedelta(minutes=1))
    return {"instanceId": account.instance_id}


def test_inbox_stores_row_effect_and_answer():
    outcome = inbox_process(
        vendor="aliyun", dedup_key="k1", action="create", request={"id": "a1"}, handler=_activate
    )
    assert outcome.replayed is False
    assert outcome.response == {"instanceId": "a1"}
    row = InboxEvent.objects.get()
    assert row.status == InboxStatus.PROCESSED
    assert row.result == {"state": ["pending", "active"]}
    assert row.cloud_account is not None and row.cloud_account.state == "active"
    assert row.attempts == 1 and row.processed_at is not None


def test_inbox_replay_returns_stored_answer_and_changes_nothing():
    calls: list[str] = []

    def handler(ctx: InboxContext) -> dict[str, Any]:
        calls.append(ctx.event.dedup_key)
        return _activate(ctx)

    first = inbox_process(
        vendor="aliyun", dedup_key="k1", action="create", request={"id": "a1"}, handler=handler
    )
    audit_count = AuditEvent.objects.count()
    again = inbox_process(
        vendor="aliyun", dedup_key="k1", action="create", request={"id": "zz"}, handler=handler
    )
    assert again.replayed is True
    assert again.response == first.response
    assert calls == ["k1"]
    assert InboxEvent.objects.count() == 1
    assert CloudAccount.objects.count() == 1
    assert AuditEvent.objects.count() == audit_count


def test_inbox_failure_rolls_back_the_effect_and_keeps_the_row():
    def broken(ctx: InboxContext) -> dict[str, Any]:
        _activate(ctx)
        raise RuntimeError("vendor API down")

    with pytest.raises(InboxFailed):
        inbox_process(vendor="aliyun", dedup_key="k1", action="create", request={"id": "a1"}, handler=broken)
    row = InboxEvent.objects.get()
    assert row.status == InboxStatus.FAILED
    assert "vendor API down" in row.error
    assert row.attempts == 1
    assert row.request == {"id": "a1"}
    assert not CloudAccount.objects.exists()
    assert AuditEvent.objects.filter(event="cloud_inbox.failed").count() == 1


def test_a_failed_row_runs_again_from_the_stored_request_on_the_vendors_retry():
    def broken(ctx: InboxContext) -> dict[str, Any]:
        raise RuntimeError("down")

    with pytest.raises(InboxFailed):
        inbox_process(
            vendor="aliyun", dedup_key="k1", action="create", request={"id": "first"}, handler=broken
        )
    # the vendor's retry carries a different (changing) field; the stored request is the one processed
    outcome = inbox_process(
        vendor="aliyun", dedup_key="k1", action="create", request={"id": "second"}, handler=_activate
    )
    assert outcome.response == {"instanceId": "first"}
    row = InboxEvent.objects.get()
    assert (row.status, row.attempts, row.error) == (InboxStatus.PROCESSED, 2, "")


def test_inbox_retry_refuses_a_processed_row():
    inbox_process(vendor="aliyun", dedup_key="k1", action="create", request={"id": "a1"}, handler=_activate)
    from billing_center.core.errors import Conflict

    with pytest.raises(Conflict):
        inbox_retry(event=InboxEvent.objects.get())


def test_apply_notes_a_refusal_as_ignored():
    account = CloudAccountFactory(state="released")
    row = InboxEvent.objects.create(vendor="aliyun", dedup_key="k", action="renewInstance")
    ctx = InboxContext(event=row)
    assert (
        cloud_account_apply(ctx, cloud_account=account, to_state="active", event_at=T0 + timedelta(1))
        is False
    )
    assert ctx.changes == {"ignored": "terminal_state"}
    assert AuditEvent.objects.filter(event="cloud_account.event_ignored").count() == 1


def test_a_long_dedup_key_is_fitted_without_collisions():
    from billing_center.cloud.inbox import dedup_key_fit

    first, second = "renew|" + "a" * 300, "renew|" + "a" * 299 + "b"
    assert len(dedup_key_fit(first)) == 255 and dedup_key_fit(first) != dedup_key_fit(second)
    assert dedup_key_fit("short") == "short"
    inbox_process(vendor="aliyun", dedup_key=first, action="create", request={"id": "a1"}, handler=_activate)
    again = inbox_process(vendor="aliyun", dedup_key=first, action="create", request={"id": "a1"}, handler=_activate)
    assert again.replayed is True


def test_a_concurrent_duplicate_meets_the_unique_key_and_gets_the_first_answer(monkeypatch):
    # given the first call's row was committed between our look-up and our insert (a concurrent duplicate)
    first = inbox_process(vendor="aliyun", dedup_key="k1", action="create", request={"id": "a1"}, handler=_activate)
    manager = type(InboxEvent.objects)
    real = manager.select_for_update

    def blind_once(self, *args, **kwargs):
        monkeypatch.setattr(manager, "select_for_update", real)
        return InboxEvent.objects.none()

    monkeypatch.setattr(manager, "select_for_update", blind_once)
    # when the duplicate is processed
    again = inbox_process(vendor="aliyun", dedup_key="k1", action="create", request={"id": "a1"}, handler=_activate)
    # then the insert hits the unique constraint and the stored answer is returned, nothing added
    assert again.replayed is True and again.response == first.response
    assert InboxEvent.objects.count() == 1 and CloudAccount.objects.count() == 1
