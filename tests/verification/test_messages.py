"""Code messages say what the code is for and how long it lasts, in the recipient's language; an SMS
fits one Chinese segment (70 characters)."""

from __future__ import annotations

import pytest

from billing_center.audit.services import RequestMeta
from billing_center.verification.messages import SMS_SEGMENT_CHARS, code_email, code_sms
from billing_center.verification.models import Purpose
from billing_center.verification.services import code_send
from tests.outbox import outbox_messages


@pytest.mark.parametrize("purpose", Purpose.values)
def test_every_sms_fits_one_chinese_segment_with_the_shipped_catalog(purpose):
    # given each purpose / when its SMS is rendered in zh-hans and in English
    for language in ("zh-hans", "en"):
        text = code_sms(purpose=purpose, code="123456", minutes=10, language=language)
        # then it holds the code and the validity, and fits 70 characters
        assert "123456" in text and "10" in text
        assert len(text) <= SMS_SEGMENT_CHARS, (language, text)
    # and the Chinese one comes from the shipped catalog
    chinese = code_sms(purpose=purpose, code="123456", minutes=10, language="zh-hans")
    assert chinese.startswith("【费用中心】") and "验证码" in chinese


def test_the_email_says_what_the_code_is_for_and_how_long_it_lasts():
    # given a password-reset code / when its email is rendered
    subject, body = code_email(purpose="password_reset", code="654321", minutes=10, language="en")
    # then it names the purpose, the code and the 10 minutes, and nothing else secret
    assert subject == "Your Billing Center verification code"
    assert "reset your Billing Center password" in body
    assert "654321" in body and "10 minutes" in body


@pytest.mark.django_db
def test_messages_go_out_in_the_recipients_language(clock):
    # given one code asked for in zh-hans and one in English
    meta = RequestMeta(ip="198.51.100.7")
    code_send(purpose="login", channel="email", target="li@example.com", meta=meta, language="zh-hans")
    code_send(purpose="login", channel="sms", target="+8613800000000", meta=meta, language="zh-hans")
    code_send(purpose="login", channel="email", target="ada@example.com", meta=meta, language="en")
    # then each message is in its recipient's language
    chinese_email = outbox_messages("li@example.com")[0]
    assert chinese_email["subject"] == "您的费用中心验证码"
    assert "登录费用中心" in chinese_email["body"]
    assert outbox_messages("+8613800000000")[0]["body"].startswith("【费用中心】您的登录验证码为")
    assert outbox_messages("ada@example.com")[0]["subject"] == "Your Billing Center verification code"


def test_an_unknown_language_falls_back_to_the_default():
    subject, _body = code_email(purpose="login", code="123456", minutes=10, language="tlh")
    assert subject == "Your Billing Center verification code"
