"""The accounts app's services: every write a holder or an operator makes to an account.

One module per feature: ``signup``, ``login`` (password and code login, forgot password,
re-authentication), ``codes`` (the enumeration-safe routing of one-time codes), ``password``,
``identifier_change`` (email and phone), ``profile`` (profile fields and language), ``sessions``,
``notices`` (texts of the notices the services send), ``operators``, ``two_factor`` and ``demo``.
Every public service is re-exported here: ``from billing_center.accounts.services import login_with_code``
(the steps of ``identifier_change`` by ``import *`` of its ``steps`` module, whose ``__all__`` names them).
Modules of this package import each other by their module path, never through this package.
"""

from billing_center.accounts.services import identifier_change
from billing_center.accounts.services.codes import code_request, code_route, code_verify
from billing_center.accounts.services.demo import demo_account_ensure
from billing_center.accounts.services.identifier_change.steps import *  # noqa: F403 (the steps: steps.__all__)
from billing_center.accounts.services.login import (
    login_code_request,
    login_failed_error,
    login_with_code,
    login_with_password,
    password_reset,
    password_reset_code_request,
    reauth_code_request,
    reauthenticate,
)
from billing_center.accounts.services.operators import (
    account_flags_update,
    operator_create,
    operator_group_join,
    operators_group_ensure,
)
from billing_center.accounts.services.password import (
    operator_password_change_record,
    password_change,
    password_set,
    password_update,
)
from billing_center.accounts.services.profile import (
    account_language_adopt,
    account_language_set,
    language_never_chosen,
    profile_update,
)
from billing_center.accounts.services.sessions import (
    account_session_end,
    account_sessions_end_others,
    session_end,
    sessions_end_others,
)
from billing_center.accounts.services.signup import account_signup, signup_code_request
from billing_center.accounts.services.two_factor import (
    two_factor_disable,
    two_factor_enabled,
    two_factor_enrol_operator,
    two_factor_setup_confirm,
    two_factor_setup_start,
    two_factor_verify,
)

__all__ = [
    "account_flags_update",
    "account_language_adopt",
    "account_language_set",
    "account_session_end",
    "account_sessions_end_others",
    "account_signup",
    "code_request",
    "code_route",
    "code_verify",
    "demo_account_ensure",
    "language_never_chosen",
    "login_code_request",
    "login_failed_error",
    "login_with_code",
    "login_with_password",
    "operator_create",
    "operator_group_join",
    "operator_password_change_record",
    "operators_group_ensure",
    "password_change",
    "password_reset",
    "password_reset_code_request",
    "password_set",
    "password_update",
    "profile_update",
    "reauth_code_request",
    "reauthenticate",
    "session_end",
    "sessions_end_others",
    "signup_code_request",
    "two_factor_disable",
    "two_factor_enabled",
    "two_factor_enrol_operator",
    "two_factor_setup_confirm",
    "two_factor_setup_start",
    "two_factor_verify",
]
# The steps of an identifier change are listed once, in its steps module.
__all__ += identifier_change.steps.__all__
