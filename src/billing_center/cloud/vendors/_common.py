"""What every vendor's endpoints share: the replay (nonce) store, parameter hygiene, JSON answers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from billing_center.audit.services import RequestMeta
from billing_center.core.ratelimit import limit_hit

MAX_PARAMETERS = 64
MAX_VALUE_LENGTH = 2048
MAX_BODY_BYTES = 64 * 1024


class Rejected(Exception):
    """An inbound call refused before anything is stored: ``code`` is the vendor-facing reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def nonce_claim(*, vendor: str, nonce: str, window_seconds: int) -> bool:
    """Take ``nonce`` for ``window_seconds``: True the first time, False for a replay.

    Kept in the rate-limit store (Redis, or the shared database), so it holds across every process
    and node. Call it outside a transaction that may roll back, so a claimed nonce stays claimed.
    """
    digest = hashlib.sha256(nonce.encode("utf-8", "surrogatepass")).hexdigest()
    return limit_hit(f"cloud:nonce:{vendor}:{digest}", limit=1, window_seconds=window_seconds).allowed


def required_check(params: Mapping[str, str], names: Iterable[str]) -> None:
    """Refuse a call that leaves out any of ``names`` (or sends it empty), naming all it left out."""
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise Rejected("invalid_parameters", _("Missing parameters: %(names)s.") % {"names": ", ".join(missing)})


def length_check(params: Mapping[str, str], limits: Iterable[tuple[str, int]]) -> None:
    """Refuse a value longer than the column it lands in: ``limits`` is (name, most characters) pairs."""
    for name, limit in limits:
        if len(params.get(name, "")) > limit:
            raise _too_long(name)


def _too_long(name: str) -> Rejected:
    return Rejected("invalid_parameters", _("The parameter %(name)s is too long.") % {"name": name[:64]})


def clean_text(name: str, value: str, *, max_length: int = MAX_VALUE_LENGTH) -> str:
    """A received value fit to store: bounded, no control characters (NUL cannot be stored in PostgreSQL)."""
    if len(value) > max_length:
        raise _too_long(name)
    if any(ord(char) < 32 and char not in "\t\r\n" for char in value) or _has_surrogates(value):
        raise Rejected("invalid_parameters", _("The parameter %(name)s holds invalid characters.") % {"name": name[:64]})
    return value


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def single_values(request: HttpRequest, *, include_body: bool) -> dict[str, str]:
    """The query (and form body) parameters as one flat mapping; a name given twice is refused."""
    params: dict[str, str] = {}
    sources = [request.GET]
    if include_body and request.method == "POST":
        sources.append(request.POST)
    for source in sources:
        for name in source:
            values = source.getlist(name)
            if len(values) != 1 or name in params:
                raise Rejected("invalid_parameters", _("The parameter %(name)s is given more than once.") % {"name": name[:64]})
            params[clean_text("name", name, max_length=128)] = clean_text(name, values[0])
    if len(params) > MAX_PARAMETERS:
        raise Rejected("invalid_parameters", _("Too many parameters."))
    return params


def json_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_answer(payload: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(json_bytes(payload), status=status, content_type="application/json; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def request_meta(request: HttpRequest) -> RequestMeta:
    return RequestMeta.from_request(request)
