"""What one wrong-code login costs: the statements and store commands are pinned, every limit is still
counted and the failure is still audited."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing_center.audit.models import AuditEvent
from billing_center.core.ratelimit import limit_count

pytestmark = pytest.mark.django_db(transaction=True)


def _wrong_code(api_client, number: int):
    return api_client.post(
        "/api/v1/auth/login/code",
        {"identifier": f"nobody{number}@example.com", "code": "000000"},
        content_type="application/json",
    )


def test_a_wrong_code_costs_pinned_statements_and_store_commands(api_client, monkeypatch):
    # given a warmed-up client (CSRF cookie, Redis scripts loaded when Redis is the store)
    assert _wrong_code(api_client, 0).status_code == 422
    commands: list[str] = []
    real = redis.Redis.execute_command

    def counting(self, *args, **options):
        commands.append(str(args[0]))
        return real(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    # when a wrong code for an unknown email is checked
    with CaptureQueriesContext(connection) as statements:
        response = _wrong_code(api_client, 1)
    sent = list(commands)
    # then it is refused as an invalid code, audited, and counted on the per-IP limit
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_code"
    assert AuditEvent.objects.filter(event="code.check_failed").count() == 2
    assert limit_count("code:check:ip:127.0.0.1") == 2
    sql = [query["sql"].split()[0].upper() for query in statements.captured_queries]
    writes = [verb for verb in sql if verb in {"INSERT", "UPDATE", "DELETE"}]
    if settings.RATE_LIMIT_STORE == "redis":
        # account lookup, the code row (FOR UPDATE), the audit row — plus the transaction's own statements
        assert [verb for verb in sql if verb in {"SELECT", "INSERT"}] == ["SELECT", "SELECT", "INSERT"], sql
        # the per-IP hit with the purpose-lock read, then the purpose failure count
        assert sent == ["EVALSHA", "EVALSHA"]
    else:
        # the account lookup, the per-IP hit, the purpose-lock read, the code row, the audit row, the failure count
        assert len([verb for verb in sql if verb in {"SELECT", "INSERT"}]) == 6, sql
        assert writes == ["INSERT", "INSERT", "INSERT"], sql
        assert sent == []
