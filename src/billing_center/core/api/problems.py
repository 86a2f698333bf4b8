"""RFC 9457 problem details: the one schema, the renderer and the exception handlers of the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from billing_center.core.errors import ApplicationError

PROBLEM_TYPE_BASE = "https://billing-center.local/problems/"


class ProblemFieldError(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    """RFC 9457 problem details (``application/problem+json``); 429s also carry ``Retry-After``."""

    type: str = Field(..., examples=["https://billing-center.local/problems/invalid_credentials"])
    title: str
    status: int
    detail: str
    code: str = Field(..., description="Stable machine-readable code.", examples=["invalid_credentials"])
    instance: str
    errors: list[ProblemFieldError] | None = None


def problems_for(statuses: Iterable[int]) -> dict[int, type[Schema]]:
    """The ``response=`` entries documenting these error statuses as problem details."""
    return dict.fromkeys(statuses, ProblemOut)


def problem(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    title: str,
    detail: str = "",
    extra: dict[str, Any] | None = None,
    retry_after: int | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
        "instance": request.path,
    }
    if extra:
        body.update(extra)
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type="application/problem+json"
    )
    if retry_after is not None:
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response


def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    extra: dict[str, Any] = dict(exc.extra)
    if exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.message}]
    return problem(
        request, status=exc.status, code=exc.code, title=exc.message, extra=extra, retry_after=exc.retry_after
    )


def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(part) for part in error.get("loc", ())[1:]), "message": error.get("msg", "")}
        for error in exc.errors
    ]
    return problem(
        request,
        status=422,
        code="validation_failed",
        title=_("The request is not valid."),
        extra={"errors": errors},
    )


def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, status=401, code="not_authenticated", title=_("Log in to continue."))


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, status=exc.status_code, code=f"http_{exc.status_code}", title=str(exc))


def on_unreadable_body(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    """A form body (``multipart/form-data``) sent to an endpoint that takes JSON: the form was already
    parsed (the CSRF check reads ``request.POST``), so the raw body is gone. 415, not a 500."""
    return problem(
        request,
        status=415,
        code="unsupported_media_type",
        title=_("Send this request's body as JSON (Content-Type: application/json)."),
    )


def install_problem_handlers(api: NinjaAPI) -> None:
    """Every error the API raises answers as problem details."""
    handlers: dict[type[Exception], Callable[..., HttpResponse]] = {
        ApplicationError: on_application_error,
        NinjaValidationError: on_validation_error,
        AuthenticationError: on_authentication_error,
        HttpError: on_http_error,
        RawPostDataException: on_unreadable_body,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, handler)
