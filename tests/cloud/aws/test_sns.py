"""SNS signature verification: v1/v2 with a test certificate, tampering, topics and the certificate host rules."""

from __future__ import annotations

import json

import pytest

from billing_center.cloud.vendors.aws import sns
from tests.cloud.aws.support import (
    CERT_URL,
    TOPIC,
    make_signer,
    notification,
    subscription_confirmation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_certificates():
    sns.certificates_forget()
    from django.core.cache import cache

    cache.clear()
    yield
    sns.certificates_forget()


@pytest.fixture
def signer():
    return make_signer()


def fetcher_for(pem: bytes, calls: list[str] | None = None):
    def fetch(url: str) -> bytes:
        if calls is not None:
            calls.append(url)
        assert url == CERT_URL
        return pem

    return fetch


def body(fields: dict[str, str]) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_signed_notification_verifies_with_either_signature_version(signer, version):
    # given a notification signed with the test key (SHA1 for v1, SHA256 for v2)
    fields = signer.sign(notification({"action": "subscribe-success"}, message_id="m-1"), version=version)
    # when it is verified
    message = sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem))
    # then its fields come back parsed
    assert message.type == "Notification"
    assert message.message_id == "m-1"
    assert sns.notification_payload(message) == {"action": "subscribe-success"}


def test_a_subject_is_part_of_the_signed_text(signer):
    # given a notification with a Subject, then the Subject changed after signing
    fields = signer.sign(notification({"a": 1}, message_id="m-1", subject="Hello"))
    assert sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem)).subject == "Hello"
    fields["Subject"] = "Hello!"
    # when / then the signature no longer verifies
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem))
    assert caught.value.reason == "signature"


def test_a_subscription_confirmation_verifies_over_its_own_keys(signer):
    # given a confirmation (Message has a real newline, SubscribeURL and Token are signed)
    fields = signer.sign(subscription_confirmation(), version="1")
    # when verified
    message = sns.sns_verify(
        body(fields), topics=[TOPIC], message_type_header="SubscriptionConfirmation", fetch=fetcher_for(signer.pem)
    )
    # then the SubscribeURL is available to confirm
    assert message.subscribe_url is not None and message.subscribe_url.startswith("https://sns.us-east-1.")


def test_the_string_to_sign_is_byte_ordered_name_newline_value_lines():
    # given the fields of a notification without Subject
    fields = {"Type": "Notification", "TopicArn": "t", "Timestamp": "ts", "MessageId": "id", "Message": "a\nb"}
    # when / then the canonical text is exactly the documented sequence
    assert sns.string_to_sign(fields) == b"Message\na\nb\nMessageId\nid\nTimestamp\nts\nTopicArn\nt\nType\nNotification\n"


@pytest.mark.parametrize("field", ["Message", "MessageId", "Timestamp", "TopicArn"])
def test_a_tampered_field_is_refused(signer, field):
    # given a valid signature, then one signed field changed
    fields = signer.sign(notification({"action": "subscribe-success"}, message_id="m-1"))
    fields[field] = fields[field] + "x" if field != "Timestamp" else "2026-12-06T10:00:01.000Z"
    # when / then
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC, TOPIC + "x"], fetch=fetcher_for(signer.pem))
    assert caught.value.reason == "signature"


def test_a_signature_from_another_key_is_refused(signer):
    # given a message signed by a key that is not the certificate's
    other = make_signer()
    fields = other.sign(notification({"action": "subscribe-success"}, message_id="m-1"))
    # when / then
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem))
    assert caught.value.reason == "signature"


def test_a_v1_signature_presented_as_v2_is_refused(signer):
    fields = signer.sign(notification({"a": 1}, message_id="m-1"), version="1")
    fields["SignatureVersion"] = "2"
    with pytest.raises(sns.SnsRejected):
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem))


@pytest.mark.parametrize("version", ["0", "3", "", "1.0"])
def test_an_unknown_signature_version_is_refused(signer, version):
    fields = signer.sign(notification({"a": 1}, message_id="m-1"))
    fields["SignatureVersion"] = version
    with pytest.raises(sns.SnsRejected):
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem))


def test_a_topic_not_configured_is_refused_before_any_certificate_is_fetched(signer):
    # given a correctly signed message from a topic we did not configure
    calls: list[str] = []
    fields = signer.sign(notification({"a": 1}, message_id="m-1", topic=TOPIC.replace("prodtest123", "other")))
    # when / then
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem, calls))
    assert caught.value.reason == "topic"
    assert calls == []


def test_a_message_type_header_that_disagrees_with_the_body_is_refused(signer):
    fields = signer.sign(notification({"a": 1}, message_id="m-1"))
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC], message_type_header="SubscriptionConfirmation",
                       fetch=fetcher_for(signer.pem))
    assert caught.value.reason == "type_mismatch"


def test_an_expired_certificate_is_refused():
    old = make_signer(expired=True)
    fields = old.sign(notification({"a": 1}, message_id="m-1"))
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(old.pem))
    assert caught.value.reason == "certificate_expired"


def test_certificates_are_fetched_once_and_cached(signer):
    # given two messages naming the same certificate
    calls: list[str] = []
    fetch = fetcher_for(signer.pem, calls)
    for n in range(3):
        fields = signer.sign(notification({"n": n}, message_id=f"m-{n}"))
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetch)
    assert calls == [CERT_URL]
    # when this process forgets (another process), the shared cache still has it
    sns.certificates_forget()
    sns.sns_verify(body(signer.sign(notification({}, message_id="m-9"))), topics=[TOPIC], fetch=fetch)
    # then the network was asked only once
    assert calls == [CERT_URL]


@pytest.mark.parametrize(
    "url",
    [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        "https://sns.eu-central-1.amazonaws.com/a/b.pem",
        "https://sns.us-gov-west-1.amazonaws.com/x.pem",
        "https://sns.ap-southeast-2.amazonaws.com/x.pem",
    ],
)
def test_the_certificate_host_rule_accepts_sns_region_hosts(url):
    assert sns.sns_url_allowed(url, suffix=".pem")


@pytest.mark.parametrize(
    "url",
    [
        "http://sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/x.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem",
        "https://evil.example/sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/x.pem",
        "https://evil.example@sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com:8443/x.pem",
        "https://sns.us-east-1.amazonaws.com:443/x.pem",
        "https://SNS.US-EAST-1.AMAZONAWS.COM/x.pem",
        "https://sns.amazonaws.com/x.pem",
        "https://sqs.us-east-1.amazonaws.com/x.pem",
        "https://xsns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com.cn.evil.example/x.pem",
        "https://sns.evil.amazonaws.com.example/x.pem",
        "https://sns.us-east-1.amazonaws.com/x.pem.txt",
        "https://sns.us-east-1.amazonaws.com/x.txt",
        "https://sns.us-east-1.amazonaws.com\\@evil.example/x.pem",
        "https://sns.us-east-1.amazonaws.com./x.pem",
        "https://sns.us-east-1.\u0430mazonaws.com/x.pem",  # Cyrillic a
        "ftp://sns.us-east-1.amazonaws.com/x.pem",
        "//sns.us-east-1.amazonaws.com/x.pem",
        "https://[::1]/x.pem",
        "",
    ],
)
def test_the_certificate_host_rule_refuses_everything_else(signer, url):
    # given a correctly signed message whose certificate URL breaks the host rule
    calls: list[str] = []
    fields = signer.sign(notification({"a": 1}, message_id="m-1"), cert_url=url)
    # when / then it is refused without any download
    assert not sns.sns_url_allowed(url, suffix=".pem")
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=lambda u: calls.append(u) or signer.pem)
    assert caught.value.reason == ("missing_field" if url == "" else "certificate_url")
    assert calls == []


def test_a_subscribe_url_on_another_host_is_refused(signer):
    fields = subscription_confirmation()
    fields["SubscribeURL"] = "https://sns.us-east-1.amazonaws.com.evil.example/?Action=ConfirmSubscription"
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(signer.sign(fields)), topics=[TOPIC], fetch=fetcher_for(signer.pem))
    assert caught.value.reason == "subscribe_url"


@pytest.mark.parametrize(
    "raw",
    [b"", b"not json", b"[]", b'"x"', b'{"Type": "Other"}', b'{"Type": "Notification"}', b"\xff\xfe"],
)
def test_malformed_bodies_are_refused(raw):
    with pytest.raises(sns.SnsRejected):
        sns.sns_verify(raw, topics=[TOPIC], fetch=lambda u: b"")


def test_a_garbage_certificate_is_refused_and_not_kept(signer):
    fields = signer.sign(notification({"a": 1}, message_id="m-1"))
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=lambda u: b"-----BEGIN CERTIFICATE-----\nnope\n")
    assert caught.value.reason == "certificate_invalid"
    # then the next attempt fetches again and succeeds with the real certificate
    assert sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem)).message_id == "m-1"


@pytest.mark.parametrize("message", ["nul\u0000inside", "lone \ud800 surrogate"])
def test_a_message_the_database_could_not_store_is_refused(signer, message):
    fields = notification({"a": 1}, message_id="m-1")
    fields["Message"] = message
    raw = json.dumps(signer.sign(fields) if "\ud800" not in message else fields).encode()
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(raw, topics=[TOPIC], fetch=fetcher_for(signer.pem))
    assert caught.value.reason == "not_json"


class FakeConnection:
    """Stands in for http.client.HTTPSConnection: records how it was used, answers as told."""

    made: list[FakeConnection] = []
    status = 200
    body = b"pem"
    error: Exception | None = None

    def __init__(self, host: str, timeout: float) -> None:
        self.host, self.timeout, self.requests, self.closed = host, timeout, [], False
        FakeConnection.made.append(self)

    def request(self, method: str, target: str, headers: dict | None = None) -> None:
        if FakeConnection.error is not None:
            raise FakeConnection.error
        self.requests.append((method, target))

    def getresponse(self):
        outer = self

        class Response:
            status = outer.status

            def read(self, limit: int) -> bytes:
                return FakeConnection.body[:limit]

        return Response()

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_https(monkeypatch):
    FakeConnection.made, FakeConnection.status, FakeConnection.body, FakeConnection.error = [], 200, b"pem", None
    monkeypatch.setattr(sns.http.client, "HTTPSConnection", FakeConnection)
    return FakeConnection


def test_the_certificate_download_uses_a_short_timeout_and_closes(fake_https):
    assert sns.download_certificate(CERT_URL) == b"pem"
    (connection,) = fake_https.made
    assert connection.host == "sns.us-east-1.amazonaws.com"
    assert connection.timeout == sns.CERT_TIMEOUT_SECONDS <= 5
    assert connection.requests == [("GET", "/SimpleNotificationService-test.pem")]
    assert connection.closed


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [(301, b"", None), (404, b"", None), (200, b"x" * (sns.CERT_MAX_BYTES + 1), None), (200, b"", TimeoutError())],
)
def test_a_redirect_an_error_an_oversized_answer_or_a_timeout_is_unavailable(fake_https, status, body, error):
    fake_https.status, fake_https.body, fake_https.error = status, body, error
    with pytest.raises(sns.SnsRejected) as caught:
        sns.download_certificate(CERT_URL)
    assert caught.value.reason == "certificate_unavailable"
    assert all(connection.closed for connection in fake_https.made)


def test_the_subscription_is_confirmed_by_a_get_of_its_url(fake_https):
    url = subscription_confirmation()["SubscribeURL"]
    sns.confirm_subscription(url)
    (connection,) = fake_https.made
    assert connection.requests[0][0] == "GET"
    assert connection.requests[0][1].startswith("/?Action=ConfirmSubscription&TopicArn=")


def test_a_subscribe_url_breaking_the_host_rule_is_never_visited(fake_https):
    with pytest.raises(sns.SnsRejected):
        sns.confirm_subscription("https://evil.example/?Action=ConfirmSubscription")
    assert fake_https.made == []


@pytest.mark.parametrize(
    "stamp",
    ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1999-12-31T23:59:59Z", "2026-12-06T10:00:00", "\uff12\uff10\uff12\uff16-12-06T10:00:00Z", "x" * 100],
)
def test_a_far_off_naive_or_odd_timestamp_is_refused(signer, stamp):
    fields = signer.sign(notification({"a": 1}, message_id="m-1", timestamp=stamp))
    with pytest.raises(sns.SnsRejected) as caught:
        sns.sns_verify(body(fields), topics=[TOPIC], fetch=fetcher_for(signer.pem))
    assert caught.value.reason == "bad_timestamp"
