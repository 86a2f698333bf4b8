"""Amazon SNS HTTP(S) deliveries: signature v1 (SHA1) and v2 (SHA256), checked with ``cryptography``.

``reference/marketplaces.md`` §1.4: the string to sign is ``Name\\nValue\\n`` for a fixed set of keys
in byte order (the JSON-decoded values); the certificate comes from ``SigningCertURL``, which must be
``https://sns.<region>.amazonaws.com/….pem`` exactly (no look-alike host, no port, no user info).
Certificates are fetched with a short timeout, never following a redirect, and cached.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import http.client
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.core.cache import cache

from billing_center.cloud.vendors.aws.payloads import DeliveryRejected, json_object, parse_utc

# sns.<region>.amazonaws.com, the region spelled as AWS spells them (us-east-1, us-gov-west-1, …).
_SNS_HOST = re.compile(r"sns\.[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}\.amazonaws\.com", re.ASCII)
_MESSAGE_TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
_NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
MAX_BODY_BYTES = 256 * 1024  # SNS messages are at most 256 KiB
CERT_TIMEOUT_SECONDS = 3.0
CERT_MAX_BYTES = 16 * 1024
CERT_CACHE_SECONDS = 24 * 3600


class SnsRejected(DeliveryRejected):
    """The delivery is not a valid SNS message for us."""


@dataclass(frozen=True)
class SnsMessage:
    type: str
    message_id: str
    topic_arn: str
    timestamp: datetime
    message: str
    subject: str | None
    subscribe_url: str | None
    raw: dict[str, str]


def sns_url_allowed(url: object, *, suffix: str = "") -> bool:
    """``https://sns.<region>.amazonaws.com/…`` and nothing else (``suffix``: e.g. ``.pem``)."""
    if not isinstance(url, str) or not url.isascii() or any(ch in url for ch in "\\\r\n\t "):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme != "https" or port is not None or "@" in parts.netloc:
        return False
    if parts.netloc != parts.hostname or not _SNS_HOST.fullmatch(parts.netloc):
        return False
    return parts.path.startswith("/") and parts.path.endswith(suffix)


def string_to_sign(fields: Mapping[str, str]) -> bytes:
    """The canonical text SNS signs: ``Name\\nValue\\n`` per key in byte order (Subject only if present)."""
    keys = _NOTIFICATION_KEYS if fields.get("Type") == "Notification" else _CONFIRMATION_KEYS
    lines: list[str] = []
    for key in sorted(keys, key=lambda k: k.encode()):
        if key not in fields:
            if key == "Subject":
                continue
            raise SnsRejected("missing_field")
        lines.append(f"{key}\n{fields[key]}\n")
    return "".join(lines).encode("utf-8")


def parse_message(body: bytes, *, message_type_header: str | None = None) -> SnsMessage:
    """Parse and shape-check an SNS delivery (not yet its signature)."""
    if len(body) > MAX_BODY_BYTES:
        raise SnsRejected("too_large")
    data = json_object(body, SnsRejected)
    kind = data.get("Type")
    if kind not in _MESSAGE_TYPES:
        raise SnsRejected("unknown_type")
    if message_type_header is not None and message_type_header != kind:
        raise SnsRejected("type_mismatch")
    keys = set(_NOTIFICATION_KEYS if kind == "Notification" else _CONFIRMATION_KEYS)
    keys |= {"Signature", "SignatureVersion", "SigningCertURL"}
    fields: dict[str, str] = {}
    for key in keys:
        value = data.get(key)
        if value is None and key == "Subject":
            continue
        if not isinstance(value, str) or (key != "Message" and key != "Subject" and not value):
            raise SnsRejected("missing_field")
        fields[key] = value
    stamp = parse_utc(fields["Timestamp"])
    if stamp is None:
        raise SnsRejected("bad_timestamp")
    if len(fields["MessageId"]) > 200:
        raise SnsRejected("bad_message_id")
    return SnsMessage(
        type=kind,
        message_id=fields["MessageId"],
        topic_arn=fields["TopicArn"],
        timestamp=stamp,
        message=fields["Message"],
        subject=fields.get("Subject"),
        subscribe_url=fields.get("SubscribeURL"),
        raw=fields,
    )


# --- Certificates -----------------------------------------------------------------------------------

CertFetcher = Callable[[str], bytes]


def download_certificate(url: str) -> bytes:
    """GET the PEM over HTTPS with a short timeout; a redirect or anything but a small 200 is refused."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPSConnection(parts.netloc, timeout=CERT_TIMEOUT_SECONDS)
    try:
        connection.request("GET", target, headers={"Accept": "application/x-pem-file"})
        response = connection.getresponse()
        if response.status != 200:
            raise SnsRejected("certificate_unavailable")
        data = response.read(CERT_MAX_BYTES + 1)
    except OSError:
        raise SnsRejected("certificate_unavailable") from None
    finally:
        connection.close()
    if len(data) > CERT_MAX_BYTES:
        raise SnsRejected("certificate_unavailable")
    return data


_memory_cache: dict[str, x509.Certificate] = {}
_memory_lock = threading.Lock()


def certificates_forget() -> None:
    """Empty the in-process certificate cache (tests; a rotated certificate has a new URL anyway)."""
    with _memory_lock:
        _memory_cache.clear()


def certificate_for(url: str, *, fetch: CertFetcher | None = None) -> x509.Certificate:
    """The certificate at an allowed URL: from this process, then the shared cache, then the network."""
    if not sns_url_allowed(url, suffix=".pem"):
        raise SnsRejected("certificate_url")
    with _memory_lock:
        known = _memory_cache.get(url)
    if known is None:
        cache_key = "aws-sns-cert:" + hashlib.sha256(url.encode()).hexdigest()
        pem = cache.get(cache_key)
        if not isinstance(pem, bytes):
            pem = (fetch or download_certificate)(url)
            cache.set(cache_key, pem, CERT_CACHE_SECONDS)
        try:
            known = x509.load_pem_x509_certificate(pem)
        except ValueError:
            cache.delete(cache_key)
            raise SnsRejected("certificate_invalid") from None
        with _memory_lock:
            if len(_memory_cache) > 64:
                _memory_cache.clear()
            _memory_cache[url] = known
    now = datetime.now(UTC)
    if not known.not_valid_before_utc <= now <= known.not_valid_after_utc:
        raise SnsRejected("certificate_expired")
    return known


def verify_signature(message: SnsMessage, *, fetch: CertFetcher | None = None) -> None:
    """Check the RSA signature (v1 SHA1, v2 SHA256) against the certificate named by the message."""
    version = message.raw["SignatureVersion"]
    algorithm: hashes.HashAlgorithm
    if version == "1":
        algorithm = hashes.SHA1()  # noqa: S303 - SNS signature version 1 is defined with SHA1
    elif version == "2":
        algorithm = hashes.SHA256()
    else:
        raise SnsRejected("signature_version")
    try:
        signature = base64.b64decode(message.raw["Signature"], validate=True)
    except (binascii.Error, ValueError):
        raise SnsRejected("signature") from None
    certificate = certificate_for(message.raw["SigningCertURL"], fetch=fetch)
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsRejected("certificate_invalid")
    try:
        public_key.verify(signature, string_to_sign(message.raw), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise SnsRejected("signature") from None


def sns_verify(
    body: bytes,
    *,
    topics: list[str],
    message_type_header: str | None = None,
    fetch: CertFetcher | None = None,
) -> SnsMessage:
    """Parse, check the topic against ``topics`` and verify the signature; raise :class:`SnsRejected`."""
    message = parse_message(body, message_type_header=message_type_header)
    if message.topic_arn not in topics:
        raise SnsRejected("topic")
    if message.subscribe_url is not None and not sns_url_allowed(message.subscribe_url):
        raise SnsRejected("subscribe_url")
    verify_signature(message, fetch=fetch)
    return message


def confirm_subscription(url: str) -> None:
    """GET the ``SubscribeURL`` of a verified SubscriptionConfirmation (after commit)."""
    if not sns_url_allowed(url):
        raise SnsRejected("subscribe_url")
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPSConnection(parts.netloc, timeout=CERT_TIMEOUT_SECONDS)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        response.read(64 * 1024)
        if response.status != 200:
            raise SnsRejected("confirmation_refused")
    except OSError:
        raise SnsRejected("confirmation_unavailable") from None
    finally:
        connection.close()


def notification_payload(message: SnsMessage) -> dict[str, Any]:
    """The marketplace JSON inside a Notification's ``Message`` (a JSON string); {} when it is not one."""
    try:
        payload = json.loads(message.message)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
