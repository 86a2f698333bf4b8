"""Keys derived from ``CODE_HMAC_KEY``: the code HMAC and the Fernet key of queued messages."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def code_hmac(*, flow: str, purpose: str, target: str, code: str) -> str:
    message = "|".join((flow, purpose, target, code)).encode()
    return hmac.new(settings.CODE_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


def codes_equal(stored_hmac: str, candidate_hmac: str) -> bool:
    return hmac.compare_digest(stored_hmac.encode(), candidate_hmac.encode())


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    # A separate key for a separate use: never encrypt with the HMAC key itself.
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"billing-center/delivery-payload/v1"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def payload_seal(payload: dict[str, Any]) -> str:
    return _fernet(settings.CODE_HMAC_KEY).encrypt(json.dumps(payload).encode()).decode()


def payload_open(token: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_fernet(settings.CODE_HMAC_KEY).decrypt(token.encode()))
    return data
