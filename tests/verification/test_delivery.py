"""Delivery after commit, retries with backoff, a provider outage that loses nothing (SPEC §2)."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from billing_center.audit.models import AuditEvent
from billing_center.audit.services import RequestMeta
from billing_center.core.masking import mask_phone
from billing_center.verification.models import Delivery
from billing_center.verification.services import (
    code_check,
    code_send,
    deliveries_process_due,
    delivery_status,
    notice_send,
)
from tests.verification.xproc import free_port

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


def test_a_code_asked_for_during_an_smtp_outage_is_delivered_once_the_server_is_back(smtp, clock):
    # given the SMTP server is down
    smtp.start()
    smtp.stop()
    # when a code is asked for
    sent = code_send(purpose="login", channel="email", target=EMAIL, meta=RequestMeta(ip="198.51.100.7"))
    # then the caller learns that delivery is delayed, and the message waits for a retry
    assert sent.delivery == "delayed"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert delivery.last_error
    # when the server is back and the worker runs before the backoff is over, nothing is tried
    smtp.start()
    assert deliveries_process_due() == 0
    # when the backoff has passed
    clock.shift(15)
    assert deliveries_process_due() == 1
    # then the message arrives exactly once, with a code that works
    assert len(smtp.inbox.messages) == 1
    message = smtp.inbox.messages[0]
    assert message["To"] == EMAIL
    assert delivery_status(sent.delivery_id) == "sent"
    body = message.get_payload(decode=True).decode()
    code = next(word for word in body.split() if word.isdigit() and len(word) == 6)
    assert code_check(purpose="login", target=EMAIL, code=code, meta=RequestMeta(ip="198.51.100.7"))
    # and later ticks do not send it again
    clock.shift(3600)
    assert deliveries_process_due() == 0
    assert len(smtp.inbox.messages) == 1


def test_a_healthy_smtp_server_gets_the_code_at_once(smtp, clock):
    smtp.start()
    sent = code_send(purpose="login", channel="email", target=EMAIL, meta=RequestMeta(ip="198.51.100.7"))
    assert sent.delivery == "sent"
    assert len(smtp.inbox.messages) == 1
    assert smtp.inbox.messages[0]["Subject"] == "Your Billing Center verification code"


def test_retries_back_off_exponentially_and_give_up_after_the_last_attempt(smtp, clock, settings):
    # given a server that stays down and 4 attempts at most
    settings.DELIVERY_MAX_ATTEMPTS = 4
    notice_send(channel="email", target=EMAIL, subject="Your password was changed", body="If it was not you, ...")
    delivery = Delivery.objects.get()
    waits = []
    # when the worker keeps retrying as soon as each retry is due
    while delivery.status == "retrying":
        waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds()))
        clock.shift(waits[-1])
        deliveries_process_due()
        delivery.refresh_from_db()
    # then the waits double, the delivery ends as failed, its payload is wiped and the failure audited
    assert waits == [15, 30, 60]
    assert (delivery.status, delivery.attempts, delivery.payload) == ("failed", 4, "")
    assert AuditEvent.objects.filter(event="delivery.failed").count() == 1


def test_a_retry_of_a_code_that_has_expired_is_dropped(smtp, clock):
    # given a code whose first attempt failed
    code_send(purpose="login", channel="email", target=EMAIL, meta=RequestMeta(ip="198.51.100.7"))
    smtp.start()
    # when the server is back only after the code has expired
    clock.shift(601)
    deliveries_process_due()
    # then the dead code is not sent, and the row is closed
    assert smtp.inbox.messages == []
    assert Delivery.objects.get().status == "failed"


def test_notices_go_through_the_same_queue(clock):
    # given the outbox backend / when a notice is sent / then it is delivered and audited
    notice_send(channel="sms", target="+8613800000000", subject="", body="Your number was changed.")
    assert Delivery.objects.get().status == "sent"
    assert AuditEvent.objects.get(event="notice.queued").new == {"to": mask_phone("+8613800000000")}


def test_a_claimed_delivery_is_not_sent_twice(clock, smtp):
    # given a delivery whose first attempt failed
    smtp.start()
    smtp.stop()
    notice_send(channel="email", target=EMAIL, subject="s", body="b")
    smtp.start()
    clock.shift(15)
    # when another sender holds it (a worker mid-send) and a second tick comes
    Delivery.objects.update(claimed_until=timezone.now() + timedelta(seconds=60))
    # then the tick leaves it alone
    assert deliveries_process_due() == 0
    assert smtp.inbox.messages == []
