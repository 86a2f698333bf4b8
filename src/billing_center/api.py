"""The JSON API under /api/v1/: only assembles the routers. Nothing imports this module but ``urls``;
auth classes and problem details live in ``billing_center.core.api``."""

from __future__ import annotations

from ninja import NinjaAPI

from billing_center.accounts.api import account_router, auth_router, settings_router, two_factor_router
from billing_center.certification.api import router as certification_router
from billing_center.cloud.api import router as cloud_router
from billing_center.contracts.api import router as contracts_router
from billing_center.core.api import install_problem_handlers
from billing_center.platform.api import router as platform_router
from billing_center.workspaces.api import router as workspaces_router

api = NinjaAPI(
    title="Billing Center API",
    version="1.0.0",
    urls_namespace="api",
    description="Billing Center accounts, account settings, contracts and marketplaces. Errors are RFC 9457 "
    "problem details; lists use cursor pagination (`cursor`, `limit` → `items`, `next_cursor`).",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_problem_handlers(api)

api.add_router("/auth", auth_router)
api.add_router("/account", account_router)
api.add_router("/account", settings_router)
api.add_router("/contracts", contracts_router)
api.add_router("/account", certification_router)
api.add_router("/auth", two_factor_router)
api.add_router("/workspaces", workspaces_router)
api.add_router("/platform", platform_router)
api.add_router("", cloud_router)
