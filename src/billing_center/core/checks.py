"""Configuration sanity checks, run by `billing-center check` (and at every management command)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def production_configuration(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if not settings.PRODUCTION:
        problems.append(
            Warning(
                "DEPLOYMENT is 'embedded': outbox email/SMS and generated secrets are for local use only.",
                hint="Set DEPLOYMENT=production with SECRET_KEY, CODE_HMAC_KEY, DATABASE_URL and REDIS_URL.",
                id="billing_center.W001",
            )
        )
        return problems
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            Warning("Production on SQLite: use PostgreSQL (DATABASE_URL) for more than one node.", id="billing_center.W002")
        )
    if not settings.REDIS_URL:
        problems.append(
            Warning("No REDIS_URL: rate limits fall back to the database.", id="billing_center.W003")
        )
    if settings.SECRET_KEY == settings.CODE_HMAC_KEY:
        problems.append(Error("CODE_HMAC_KEY must differ from SECRET_KEY.", id="billing_center.E001"))
    if not settings.PLATFORM_API_TOKEN:
        problems.append(
            Warning("PLATFORM_API_TOKEN is empty: the console-facing platform API is closed.", id="billing_center.W004")
        )
    return problems
