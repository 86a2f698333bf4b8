"""Huawei Cloud KooGallery signatures and encrypted fields (reference §3.1, §3.2, §3.4).

- V2 request: ``payloadHash = hex(HMAC-SHA256(accessKey, raw body))``, then
  ``signature = hex(HMAC-SHA256(accessKey, accessKey + nonce + timestamp + payloadHash))``, compared
  without regard to case (the vendor's examples use both).
- Every answer: ``Body-Sign: sign_type="HMAC-SHA256", signature="<base64 HMAC-SHA256(accessKey, body)>"``.
- V1 request: ``authToken = base64(HMAC-SHA256(accessKey + timeStamp, k=v&… of every other parameter,
  URL-decoded, sorted by name))``.
- AES fields: AES-CBC/PKCS#5 with the key Java's ``SecureRandom("SHA1PRNG")`` seeded with the access key
  derives; the wire value is the 16-character IV text followed by base64(ciphertext).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

AES_256 = "1"
AES_128 = "2"
KEY_BYTES = {AES_256: 32, AES_128: 16}
IV_LENGTH = 16
IV_ALPHABET = string.ascii_letters + string.digits


def _hmac(key: str, data: bytes) -> bytes:
    return hmac.new(key.encode("utf-8"), data, hashlib.sha256).digest()


def v2_signature(*, access_key: str, nonce: str, timestamp: str, body: bytes) -> str:
    payload_hash = _hmac(access_key, body).hex()
    canonical = f"{access_key}{nonce}{timestamp}{payload_hash}".encode()
    return _hmac(access_key, canonical).hex().upper()


def v2_signature_matches(*, access_key: str, nonce: str, timestamp: str, body: bytes, signature: str) -> bool:
    expected = v2_signature(access_key=access_key, nonce=nonce, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected.encode(), signature.upper().encode("utf-8", "replace"))


def body_sign(*, access_key: str, body: bytes) -> str:
    digest = base64.b64encode(_hmac(access_key, body)).decode("ascii")
    return f'sign_type="HMAC-SHA256", signature="{digest}"'


def v1_auth_token(params: dict[str, str], *, access_key: str) -> str:
    signed = "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "authToken")
    key = access_key + params.get("timeStamp", "")
    return base64.b64encode(_hmac(key, signed.encode("utf-8"))).decode("ascii")


def v1_auth_token_matches(params: dict[str, str], *, access_key: str) -> bool:
    received = params.get("authToken", "")
    return bool(received) and hmac.compare_digest(
        v1_auth_token(params, access_key=access_key).encode(), received.encode("utf-8", "replace")
    )


def sha1prng_key(seed: bytes, length: int) -> bytes:
    """The first ``length`` bytes Java's SHA1PRNG yields after ``setSeed(seed)`` (the AES key it makes)."""
    state = bytearray(hashlib.sha1(seed, usedforsecurity=False).digest())
    output = b""
    while len(output) < length:
        block = hashlib.sha1(bytes(state), usedforsecurity=False).digest()
        output += block
        # state = state + block + 1, byte-wise from index 0 with Java's signed-byte carry.
        carry = 1
        for index in range(len(state)):
            value = _signed(state[index]) + _signed(block[index]) + carry
            state[index] = value & 0xFF
            carry = value >> 8
    return output[:length]


def _signed(byte: int) -> int:
    return byte - 256 if byte > 127 else byte


class DecryptionFailed(ValueError):
    """The encrypted field is malformed or was not encrypted with our key."""


def _cipher(seed: str, encrypt_type: str, iv: bytes) -> Cipher[modes.CBC]:
    length = KEY_BYTES.get(encrypt_type)
    if length is None:
        raise DecryptionFailed(f"Unknown encryptType {encrypt_type!r}")
    return Cipher(algorithms.AES(sha1prng_key(seed.encode("utf-8"), length)), modes.CBC(iv))


def aes_encrypt(plaintext: str, *, access_key: str, encrypt_type: str = AES_256, iv: str | None = None) -> str:
    iv_text = iv if iv is not None else "".join(secrets.choice(IV_ALPHABET) for _ in range(IV_LENGTH))
    if len(iv_text) != IV_LENGTH or not iv_text.isascii():
        raise ValueError("The IV is 16 ASCII characters")
    padder = padding.PKCS7(128).padder()
    data = padder.update(plaintext.encode("utf-8")) + padder.finalize()
    encryptor = _cipher(access_key, encrypt_type, iv_text.encode("ascii")).encryptor()
    return iv_text + base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode("ascii")


def aes_decrypt(value: str, *, access_key: str, encrypt_type: str = AES_256) -> str:
    if len(value) <= IV_LENGTH or not value.isascii():
        raise DecryptionFailed("Too short to hold an IV and a ciphertext")
    try:
        ciphertext = base64.b64decode(value[IV_LENGTH:], validate=True)
        decryptor = _cipher(access_key, encrypt_type, value[:IV_LENGTH].encode("ascii")).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return (unpadder.update(padded) + unpadder.finalize()).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise DecryptionFailed(str(exc)) from exc
