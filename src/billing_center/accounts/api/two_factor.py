"""The second step of an API login, login by code or re-authentication: ``POST /api/v1/auth/two-factor``.

``POST /auth/login``, ``/auth/login/code`` and ``/auth/reauthenticate`` answer 403 ``two_factor_required``
for an account with two-factor on; the same session then sends the authenticator (or a recovery) code here.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from billing_center.accounts.second_factor import second_factor_complete
from billing_center.accounts.sessions import reauth_window_end
from billing_center.core.api import CsrfProtected, problems_for

router = Router(tags=["auth"])


class SecondFactorIn(Schema):
    code: str


class SecondFactorOut(Schema):
    completed: str
    reauthenticated_until: datetime


@router.post(
    "/two-factor",
    auth=CsrfProtected(),
    response={200: SecondFactorOut, **problems_for([403, 409, 422, 429])},
    summary="Complete a login or re-authentication with the second factor",
    description="`completed` is `login` or `reauth`. 409 `two_factor_not_pending` when no first step waits; "
    "five wrong codes end the waiting step.",
)
def two_factor_complete(request: HttpRequest, body: SecondFactorIn) -> SecondFactorOut:
    purpose = second_factor_complete(request, body.code)
    return SecondFactorOut(
        completed=purpose,
        reauthenticated_until=reauth_window_end(),
    )
