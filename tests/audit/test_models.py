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
