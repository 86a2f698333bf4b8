"""The JSON API under /api/v1/: routers mounted, problem-details errors, session auth with CSRF."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, SessionAuth

from billing_center.core.errors import ApplicationError

if TYPE_CHECKING:
    from billing_center.accounts.models import Account

PROBLEM_TYPE_BASE = "https://billing-center.local/problems/"


class HolderSession(SessionAuth):
    """A logged-in, active holder's session (CSRF-checked on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class CsrfProtected(APIKeyCookie):
    """For endpoints used before login (sign-up, login, codes): no session needed, but unsafe methods
    must carry the CSRF token (login CSRF). ``GET /api/v1/auth/csrf`` sets the cookie."""

    param_name = "csrftoken"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return True


def holder(request: HttpRequest) -> Account:
    """The account behind an endpoint guarded by ``HolderSession``."""
    return cast("Account", request.auth)  # type: ignore[attr-defined]


api = NinjaAPI(
    title="Billing Center API",
    version="1.0.0",
    urls_namespace="api",
    description="Billing Center accounts, account settings, contracts and marketplaces. Errors are RFC 9457 "
    "problem details; lists use cursor pagination (`cursor`, `limit` → `items`, `next_cursor`).",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


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
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    if retry_after is not None:
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    extra: dict[str, Any] = dict(exc.extra)
    if exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.message}]
    return problem(
        request, status=exc.status, code=exc.code, title=exc.message, extra=extra, retry_after=exc.retry_after
    )


@api.exception_handler(NinjaValidationError)
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


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(request, status=401, code="not_authenticated", title=_("Log in to continue."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, status=exc.status_code, code=f"http_{exc.status_code}", title=str(exc))


def _mount_routers() -> None:
    from billing_center.accounts.api import account_router, auth_router
    from billing_center.accounts.api_settings import settings_router
    from billing_center.contracts.api import router as contracts_router

    api.add_router("/auth", auth_router)
    api.add_router("/account", account_router)
    api.add_router("/account", settings_router)
    api.add_router("/contracts", contracts_router)


_mount_routers()
