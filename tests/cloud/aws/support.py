"""Test helpers for AWS: a fake Marketplace endpoint on 127.0.0.1, SNS test certificates and signing."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from billing_center.cloud.vendors.aws.sns import string_to_sign

PRODUCT_CODE = "prod-test123"
ACCOUNT_ID = "123456789012"
LICENSE_ARN = "arn:aws:license-manager::123456789012:license:l-0123456789abcdef"
AGREEMENT_ID = "agmt-1111111111111111"
TOPIC = "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-prodtest123"
ENTITLEMENT_TOPIC = "arn:aws:sns:us-east-1:287250355862:aws-mp-entitlement-notification-prodtest123"
CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem"


# --- Fake AWS Marketplace (JSON 1.1, X-Amz-Target) -----------------------------------------------------


@dataclass
class FakeMarketplace:
    """Tokens map to a customer; ``expired`` tokens answer ExpiredTokenException; ``throttle`` the next N calls."""

    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)
    throttle: int = 0
    entitlement_pages: list[list[dict[str, Any]]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    def customer(self, token: str, **overrides: Any) -> None:
        answer = {
            "CustomerAWSAccountId": ACCOUNT_ID,
            "LicenseArn": LICENSE_ARN,
            "ProductCode": PRODUCT_CODE,
            "Metadata": {"AgreementId": AGREEMENT_ID},
        }
        answer.update(overrides)
        self.tokens[token] = answer

    def answer(self, target: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls.append((target, body))
        if self.throttle > 0:
            self.throttle -= 1
            return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
        if target == "AWSMPMeteringService.ResolveCustomer":
            token = body.get("RegistrationToken", "")
            if token in self.expired:
                return 400, {"__type": "ExpiredTokenException", "message": "Token expired"}
            if token not in self.tokens:
                return 400, {"__type": "InvalidTokenException", "message": "Invalid token"}
            return 200, self.tokens[token]
        if target == "AWSMPEntitlementService.GetEntitlements":
            index = int(body.get("NextToken") or 0)
            page = self.entitlement_pages[index] if index < len(self.entitlement_pages) else []
            reply: dict[str, Any] = {"Entitlements": page}
            if index + 1 < len(self.entitlement_pages):
                reply["NextToken"] = str(index + 1)
            return 200, reply
        return 400, {"__type": "UnknownOperationException", "message": target}


def serve_fake(fake: FakeMarketplace) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            status, reply = fake.answer(self.headers.get("X-Amz-Target", ""), body)
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


# --- SNS --------------------------------------------------------------------------------------------


@dataclass
class TestSigner:
    key: rsa.RSAPrivateKey
    pem: bytes

    def sign(self, fields: dict[str, str], *, version: str = "2", cert_url: str = CERT_URL) -> dict[str, str]:
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
        signature = self.key.sign(string_to_sign(fields), padding.PKCS1v15(), algorithm)
        return {
            **fields,
            "SignatureVersion": version,
            "Signature": base64.b64encode(signature).decode(),
            "SigningCertURL": cert_url,
        }


def make_signer(*, valid_days: int = 30, expired: bool = False) -> TestSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    now = datetime.now(UTC)
    start = now - timedelta(days=60) if expired else now - timedelta(days=1)
    end = now - timedelta(days=1) if expired else now + timedelta(days=valid_days)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(key, hashes.SHA256())
    )
    return TestSigner(key=key, pem=certificate.public_bytes(serialization.Encoding.PEM))


def notification(payload: dict[str, Any], *, message_id: str, topic: str = TOPIC,
                 timestamp: str = "2026-12-06T10:00:00.000Z", subject: str | None = None) -> dict[str, str]:
    fields = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic,
        "Message": json.dumps(payload),
        "Timestamp": timestamp,
    }
    if subject is not None:
        fields["Subject"] = subject
    return fields


def subscription_confirmation(*, message_id: str = "conf-1", topic: str = TOPIC) -> dict[str, str]:
    return {
        "Type": "SubscriptionConfirmation",
        "MessageId": message_id,
        "Token": "2336412f37fb687f5d51e6e2425f004aed",
        "TopicArn": topic,
        "Message": f"You have chosen to subscribe to the topic {topic}.\nTo confirm, visit the SubscribeURL.",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
        + topic + "&Token=2336412f37fb687f5d51e6e2425f004aed",
        "Timestamp": "2026-12-06T10:00:00.000Z",
    }
