"""The raw code is nowhere in the database: HMAC for the code, encrypted-then-wiped delivery payloads."""

from __future__ import annotations

import pytest
from django.db import connection

from billing_center.audit.services import RequestMeta
from billing_center.verification.crypto import code_hmac, payload_open
from billing_center.verification.models import Delivery, OneTimeCode
from billing_center.verification.services import code_send, deliveries_process_due
from tests.outbox import latest_code

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"


def database_text() -> str:
    """Every value of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_a_sent_code_is_only_an_hmac_in_the_database(clock):
    # given a code sent and delivered
    code_send(purpose="login", channel="email", target=EMAIL, meta=RequestMeta(ip="198.51.100.7"))
    code = latest_code(EMAIL)
    # when every table is dumped
    dump = database_text()
    # then the code is not there, but its HMAC under the server key is
    stored = OneTimeCode.objects.get()
    assert stored.code_hmac == code_hmac(flow="", purpose="login", target=EMAIL, code=code)
    assert stored.code_hmac in dump
    assert code not in dump
    # and the delivered message's payload is wiped
    assert Delivery.objects.get().payload == ""


def test_a_queued_code_is_encrypted_until_sent_then_wiped(clock, settings):
    # given an SMTP server that cannot be reached, so the message waits in the queue
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard port: nothing listens
    sent = code_send(purpose="login", channel="email", target=EMAIL, meta=RequestMeta(ip="198.51.100.7"))
    assert sent.delivery == "delayed"
    delivery = Delivery.objects.get()
    code = payload_open(delivery.payload)["code"]
    # when every table is dumped
    dump = database_text()
    # then only ciphertext holds the code
    assert len(code) == 6 and code not in dump
    assert delivery.payload in dump
    # and once the message is sent the ciphertext is gone too
    settings.EMAIL_BACKEND = "billing_center.verification.channels.email.OutboxEmailBackend"
    clock.shift(60)
    assert deliveries_process_due() == 1
    assert latest_code(EMAIL) == code
    assert Delivery.objects.get().payload == ""


def test_the_hmac_binds_flow_purpose_and_target():
    # given one code / when any part of its tuple changes / then the HMAC differs
    base = {"flow": "f", "purpose": "login", "target": EMAIL, "code": "123456"}
    variants = [base | {key: value} for key, value in
                (("flow", "g"), ("purpose", "reauth"), ("target", "eve@example.com"), ("code", "123457"))]
    assert len({code_hmac(**base), *(code_hmac(**variant) for variant in variants)}) == 5
