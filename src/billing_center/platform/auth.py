"""The platform API's credential: ``Authorization: Bearer <PLATFORM_API_TOKEN>``, compared in constant time.

With no token configured the whole API does not exist (404). A wrong or missing token is refused
(401) before anything is parsed or stored; a holder's session cookie plays no part.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from billing_center.audit.services import RequestMeta, audit_record
from billing_center.core.errors import NotFound
from billing_center.platform import events
from billing_center.platform.meta import platform_meta

CONSOLE = "console"


class PlatformToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        if not settings.PLATFORM_API_TOKEN:
            raise NotFound(_("Not found."), code="not_found")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        expected = str(settings.PLATFORM_API_TOKEN).encode()
        if not hmac.compare_digest((token or "").encode(), expected):
            return None
        meta: RequestMeta = platform_meta(request)
        audit_record(
            event=events.PLATFORM_CALL,
            meta=meta,
            actor_label=CONSOLE,
            detail={"method": request.method, "path": request.path[:200]},
        )
        return CONSOLE
