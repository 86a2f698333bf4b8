"""Code messages say what the code is for and how long it lasts, in the recipient's language; an SMS
fits one Chinese segment (70 characters)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils.translation import trans_real

from billing_center.audit.services import RequestMeta
from billing_center.verification.messages import SMS_SEGMENT_CHARS, code_email, code_sms
from billing_center.verification.models import Purpose
from billing_center.verification.services import code_send
from tests.outbox import outbox_messages

# The translations proposed for the catalog (also listed in docs/verification.md).
ZH_HANS = {
    "%(code)s is your Billing Center %(purpose)s code, valid %(minutes)s min.":
        "【计费中心】您的%(purpose)s验证码为%(code)s，%(minutes)s分钟内有效，请勿泄露。",  # noqa: RUF001
    "sign-up": "注册",
    "login": "登录",
    "password reset": "重置密码",
    "identity check": "身份验证",
    "email change": "更换邮箱",
    "new email": "新邮箱",
    "number change": "更换手机号",
    "new number": "新手机号",
    "workspace binding": "绑定工作空间",
    "Your Billing Center verification code": "您的计费中心验证码",
    "log in to Billing Center": "登录计费中心",
}


@pytest.fixture
def zh_hans_catalog() -> Iterator[None]:
    """The zh-hans catalog with the proposed translations, whatever the compiled catalog holds."""
    catalog = trans_real.translation("zh-hans")._catalog
    saved = {msgid: catalog.get(msgid) for msgid in ZH_HANS}
    for msgid, text in ZH_HANS.items():
        catalog[msgid] = text
    yield
    for msgid, text in saved.items():
        if text is None:
            for part in catalog._catalogs:
                part.pop(msgid, None)
        else:
            catalog[msgid] = text


@pytest.mark.parametrize("purpose", Purpose.values)
def test_every_sms_fits_one_chinese_segment_with_the_shipped_catalog(purpose):
    # given each purpose / when its SMS is rendered in zh-hans and in English
    for language in ("zh-hans", "en"):
        text = code_sms(purpose=purpose, code="123456", minutes=10, language=language)
        # then it holds the code and the validity, and fits 70 characters
        assert "123456" in text and "10" in text
        assert len(text) <= SMS_SEGMENT_CHARS, (language, text)


@pytest.mark.parametrize("purpose", Purpose.values)
def test_every_sms_fits_one_chinese_segment_with_the_proposed_translation(purpose, zh_hans_catalog):
    text = code_sms(purpose=purpose, code="123456", minutes=10, language="zh-hans")
    assert "验证码" in text and "123456" in text
    assert len(text) <= SMS_SEGMENT_CHARS, text


def test_the_email_says_what_the_code_is_for_and_how_long_it_lasts():
    # given a password-reset code / when its email is rendered
    subject, body = code_email(purpose="password_reset", code="654321", minutes=10, language="en")
    # then it names the purpose, the code and the 10 minutes, and nothing else secret
    assert subject == "Your Billing Center verification code"
    assert "reset your Billing Center password" in body
    assert "654321" in body and "10 minutes" in body


@pytest.mark.django_db
def test_messages_go_out_in_the_recipients_language(zh_hans_catalog, clock):
    # given one code asked for in zh-hans and one in English
    meta = RequestMeta(ip="198.51.100.7")
    code_send(purpose="login", channel="email", target="li@example.com", meta=meta, language="zh-hans")
    code_send(purpose="login", channel="sms", target="+8613800000000", meta=meta, language="zh-hans")
    code_send(purpose="login", channel="email", target="ada@example.com", meta=meta, language="en")
    # then each message is in its recipient's language
    chinese_email = outbox_messages("li@example.com")[0]
    assert chinese_email["subject"] == "您的计费中心验证码"
    assert "登录计费中心" in chinese_email["body"]
    assert outbox_messages("+8613800000000")[0]["body"].startswith("【计费中心】您的登录验证码为")
    assert outbox_messages("ada@example.com")[0]["subject"] == "Your Billing Center verification code"


def test_an_unknown_language_falls_back_to_the_default():
    subject, _body = code_email(purpose="login", code="123456", minutes=10, language="tlh")
    assert subject == "Your Billing Center verification code"
