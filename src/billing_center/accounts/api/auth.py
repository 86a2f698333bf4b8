"""Accounts API: /api/v1/auth/* (sign-up, login, codes, reset, re-auth, logout).

Thin: parse, call one service, start or end the session, answer. Rules live in ``accounts.services``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from billing_center.accounts import services
from billing_center.accounts.api.schemas import (
    AcceptedOut,
    CodeSentOut,
    CsrfOut,
    IdentifierIn,
    LoginCodeIn,
    LoginIn,
    MeOut,
    PasswordResetIn,
    ReauthIn,
    ReauthOut,
    SignupCodeIn,
    SignupIn,
)
from billing_center.accounts.models import Account
from billing_center.accounts.second_factor import second_factor_pending_or_raise
from billing_center.accounts.sessions import (
    reauth_window_end,
    session_login,
    session_logout,
    session_mark_reauthenticated,
)
from billing_center.audit.services import RequestMeta
from billing_center.core.api import CsrfProtected, HolderSession, ProblemOut, holder
from billing_center.verification.services import CodeSent

router = Router(tags=["auth"])

PRE_LOGIN = CsrfProtected()
ERRORS = {400: ProblemOut, 403: ProblemOut, 422: ProblemOut, 429: ProblemOut}


def _meta(request: HttpRequest) -> RequestMeta:
    return RequestMeta.from_request(request)


def _language(request: HttpRequest, asked: str | None) -> str:
    return asked or getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE


def _code_sent(sent: CodeSent) -> CodeSentOut:
    return CodeSentOut(
        target_masked=sent.target_masked,
        expires_at=sent.expires_at,
        resend_available_at=sent.resend_available_at,
        delivery=sent.delivery,
    )


def _code_requested(
    request: HttpRequest, body: IdentifierIn, code_request: Callable[..., None]
) -> Status[AcceptedOut]:
    """A code for a typed address: the same 202 whether or not an account matches."""
    code_request(identifier=body.identifier, language=_language(request, body.language), meta=_meta(request))
    return Status(
        202, AcceptedOut(detail=_("If an account matches, a code is on its way to its verified address."))
    )


def _first_factor_passed(request: HttpRequest, account: Account, *, method: str) -> MeOut:
    """403 ``two_factor_required`` while a second factor is due; else the session starts."""
    second_factor_pending_or_raise(request, account, purpose="login", method=method)
    session_login(request, account, method=method)
    return MeOut.of(account)


@router.get("/csrf", response=CsrfOut, summary="Set the CSRF cookie and return its token")
def csrf(request: HttpRequest) -> CsrfOut:
    return CsrfOut(csrf_token=get_token(request))


@router.post(
    "/signup/codes",
    auth=PRE_LOGIN,
    response={202: CodeSentOut, **ERRORS},
    summary="Send a sign-up code to an email or mobile number",
    description="The answer is the same whether or not the address already has an account; such an "
    "address receives a notice instead of a code.",
)
def signup_codes(request: HttpRequest, body: SignupCodeIn) -> Status[CodeSentOut]:
    sent = services.signup_code_request(
        channel=body.channel,
        target=body.target,
        language=_language(request, body.language),
        meta=_meta(request),
        pow=body.pow,
    )
    return Status(202, _code_sent(sent))


@router.post(
    "/signup", auth=PRE_LOGIN, response={201: MeOut, **ERRORS}, summary="Create an account and log in"
)
def signup(request: HttpRequest, body: SignupIn) -> Status[MeOut]:
    account = services.account_signup(**body.model_dump(), meta=_meta(request))
    session_login(request, account, method="signup")
    return Status(201, MeOut.of(account))


@router.post(
    "/login",
    auth=PRE_LOGIN,
    response={200: MeOut, **ERRORS},
    summary="Log in with username, email or phone and password",
    description="Throttled per (identifier, IP) and per IP; a 429 carries Retry-After.",
)
def login(request: HttpRequest, body: LoginIn) -> MeOut:
    account = services.login_with_password(
        identifier=body.identifier, password=body.password, meta=_meta(request)
    )
    return _first_factor_passed(request, account, method="password")


@router.post(
    "/login/codes",
    auth=PRE_LOGIN,
    response={202: AcceptedOut, **ERRORS},
    summary="Send a login code to the account's email or mobile number",
)
def login_codes(request: HttpRequest, body: IdentifierIn) -> Status[AcceptedOut]:
    return _code_requested(request, body, services.login_code_request)


@router.post(
    "/login/code", auth=PRE_LOGIN, response={200: MeOut, **ERRORS}, summary="Log in with a code"
)
def login_code(request: HttpRequest, body: LoginCodeIn) -> MeOut:
    account = services.login_with_code(identifier=body.identifier, code=body.code, meta=_meta(request))
    return _first_factor_passed(request, account, method="code")


@router.post(
    "/password-reset/codes",
    auth=PRE_LOGIN,
    response={202: AcceptedOut, **ERRORS},
    summary="Send a password-reset code to the account's email or mobile number",
)
def password_reset_codes(request: HttpRequest, body: IdentifierIn) -> Status[AcceptedOut]:
    return _code_requested(request, body, services.password_reset_code_request)


@router.post(
    "/password-reset",
    auth=PRE_LOGIN,
    response={204: None, **ERRORS},
    summary="Set a new password with a reset code (ends every session)",
)
def password_reset(request: HttpRequest, body: PasswordResetIn) -> Status[None]:
    services.password_reset(
        identifier=body.identifier, code=body.code, new_password=body.new_password, meta=_meta(request)
    )
    return Status(204, None)


@router.post(
    "/reauthenticate/codes",
    auth=HolderSession(),
    response={202: CodeSentOut, **ERRORS},
    summary="Send a re-authentication code to the login email",
)
def reauthenticate_codes(request: HttpRequest) -> Status[CodeSentOut]:
    sent = services.reauth_code_request(account=holder(request), meta=_meta(request))
    return Status(202, _code_sent(sent))


@router.post(
    "/reauthenticate",
    auth=HolderSession(),
    response={200: ReauthOut, **ERRORS},
    summary="Confirm the holder again with the password or a code",
    description="Sensitive changes need a re-authentication within the last REAUTH_WINDOW_SECONDS.",
)
def reauthenticate(request: HttpRequest, body: ReauthIn) -> ReauthOut:
    services.reauthenticate(
        account=holder(request), password=body.password, code=body.code, meta=_meta(request)
    )
    second_factor_pending_or_raise(request, holder(request), purpose="reauth", method="reauth")
    session_mark_reauthenticated(request)
    return ReauthOut(reauthenticated_until=reauth_window_end())


@router.post("/logout", auth=PRE_LOGIN, response={204: None, 403: ProblemOut}, summary="Log out")
def logout(request: HttpRequest) -> Status[None]:
    session_logout(request)
    return Status(204, None)

