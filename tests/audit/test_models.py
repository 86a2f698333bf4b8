import pytest

from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta, audit_record


@pytest.mark.django_db
def test_audit_record_keeps_request_context_and_masked_values(account):
    # given a request context
    meta = RequestMeta(ip="198.51.100.4", user_agent="pytest", request_id="req-12345678")
    # when a service records an event
    event = audit_record(event="email.changed", account=account, meta=meta, old={"email": "a***@x.com"})
    # then it is stored with actor, account, time, IP, user agent and request id
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == account and stored.account == account
    assert (stored.ip, stored.user_agent, stored.request_id) == ("198.51.100.4", "pytest", "req-12345678")
    assert stored.old == {"email": "a***@x.com"}
    assert stored.created_at is not None


@pytest.mark.django_db
def test_audit_events_are_append_only(account):
    event = audit_record(event="login.succeeded", account=account)
    event.event = "tampered"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).event == "login.succeeded"


@pytest.mark.django_db
def test_holder_security_log_leaves_out_back_office_bookkeeping(account):
    # given security events and operator/system events on one account
    from billing_center.audit.selectors import security_event_for_account, security_events_for_account

    login = audit_record(event="login.succeeded", account=account)
    change = audit_record(event="email.changed", account=account)
    issued = audit_record(event="contract.created", account=account, actor_label="operator")
    audit_record(event="delivery.failed", account=account, actor_label="system")
    # when the holder reads their security log
    page = security_events_for_account(account=account, cursor=None, limit=20)
    # then only the security events are listed, and the others cannot be opened one by one either
    assert [event.pk for event in page.items] == [change.pk, login.pk]
    assert security_event_for_account(account=account, event_id=issued.pk) is None
