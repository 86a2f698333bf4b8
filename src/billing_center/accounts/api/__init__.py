"""The accounts app's JSON API, one module per action family; ``billing_center.api`` mounts the routers.

- ``auth_router`` (/api/v1/auth): ``auth`` (sign-up, login, codes, forgot password, re-authentication,
  logout); ``two_factor_router`` (/api/v1/auth/two-factor) from ``two_factor``.
- ``account_router`` (/api/v1/account/me): ``me``.
- ``settings_router`` (/api/v1/account, Account Settings, the holder's session): ``profile``,
  ``identifier`` (email and phone change, from one route factory), ``password``, ``sessions``,
  ``security_log``. Its modules' routers take the tag and the authentication from it.
"""

from ninja import Router

from billing_center.accounts.api import identifier, password, profile, security_log, sessions
from billing_center.accounts.api.auth import router as auth_router
from billing_center.accounts.api.me import router as account_router
from billing_center.accounts.api.two_factor import router as two_factor_router
from billing_center.core.api import HolderSession

settings_router = Router(tags=["account settings"], auth=HolderSession())
for _family in (profile, identifier, password, sessions, security_log):
    settings_router.add_router("", _family.router)

__all__ = ["account_router", "auth_router", "settings_router", "two_factor_router"]
