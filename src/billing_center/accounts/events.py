"""Audit events of accounts: sign-up, login, sessions, password, profile, address changes."""

from django.utils.translation import gettext_lazy as _

from billing_center.audit.events import event_type

SIGNUP = event_type("signup", _("Account created"), holder_visible=True)
LOGIN_SUCCEEDED = event_type("login.succeeded", _("Logged in"), holder_visible=True)
LOGIN_FAILED = event_type("login.failed", _("Failed login"), holder_visible=True)
LOGIN_PASSWORD_LOCKED = event_type("login.password_locked", _("Password login locked"), holder_visible=True)
LOGOUT = event_type("logout", _("Logged out"), holder_visible=True)
REAUTH_SUCCEEDED = event_type("reauth.succeeded", _("Identity confirmed"), holder_visible=True)
REAUTH_FAILED = event_type("reauth.failed", _("Failed identity confirmation"), holder_visible=True)
SESSION_EXPIRED = event_type("session.expired", _("Session expired"), holder_visible=True)
SESSION_ENDED = event_type("session.ended", _("Session ended"), holder_visible=True)
SESSIONS_ENDED = event_type("sessions.ended", _("Other sessions ended"), holder_visible=True)
PASSWORD_CHANGED = event_type("password.changed", _("Password changed"), holder_visible=True)
PASSWORD_SET = event_type("password.set", _("Password set"), holder_visible=True)
PASSWORD_CHANGE_FAILED = event_type("password.change_failed", _("Wrong current password"), holder_visible=True)
PASSWORD_RESET = event_type("password.reset", _("Password reset"), holder_visible=True)
PROFILE_UPDATED = event_type("profile.updated", _("Profile updated"), holder_visible=True)
LANGUAGE_CHANGED = event_type("account.language_changed", _("Language changed"), holder_visible=True)
EMAIL_CHANGED = event_type("email.changed", _("Login email changed"), holder_visible=True)
PHONE_CHANGED = event_type("phone.changed", _("Phone number changed"), holder_visible=True)
OPERATOR_CREATED = event_type("operator.created", _("Operator created"))
FLAGS_CHANGED = event_type("account.flags_changed", _("Account flags changed"))

EMAIL_CHANGE_STARTED = event_type("email_change.started", _("Email change started"), holder_visible=True)
EMAIL_CHANGE_CURRENT_VERIFIED = event_type(
    "email_change.current_verified", _("Email change: current email verified"), holder_visible=True
)
EMAIL_CHANGE_NEW_CODE_SENT = event_type(
    "email_change.new_code_sent", _("Email change: code sent to the new email"), holder_visible=True
)
EMAIL_CHANGE_CODE_RESENT = event_type(
    "email_change.code_resent", _("Email change: code sent again"), holder_visible=True
)
EMAIL_CHANGE_CANCELLED = event_type("email_change.cancelled", _("Email change cancelled"), holder_visible=True)
EMAIL_CHANGE_EXPIRED = event_type("email_change.expired", _("Email change expired"), holder_visible=True)
PHONE_CHANGE_STARTED = event_type("phone_change.started", _("Phone change started"), holder_visible=True)
PHONE_CHANGE_CURRENT_VERIFIED = event_type(
    "phone_change.current_verified", _("Phone change: current address verified"), holder_visible=True
)
PHONE_CHANGE_NEW_CODE_SENT = event_type(
    "phone_change.new_code_sent", _("Phone change: code sent to the new phone"), holder_visible=True
)
PHONE_CHANGE_CODE_RESENT = event_type(
    "phone_change.code_resent", _("Phone change: code sent again"), holder_visible=True
)
PHONE_CHANGE_CANCELLED = event_type("phone_change.cancelled", _("Phone change cancelled"), holder_visible=True)
PHONE_CHANGE_EXPIRED = event_type("phone_change.expired", _("Phone change expired"), holder_visible=True)

# The identifier-change steps by (kind, step), read from the declared names ("email_change.started" →
# ("email", "started")): the service names a step, the audit row gets its constant.
IDENTIFIER_CHANGED = {"email": EMAIL_CHANGED, "phone": PHONE_CHANGED}
IDENTIFIER_CHANGE_STEPS = {
    (event.name.split("_change.")[0], event.name.split(".", 1)[1]): event
    for event in (
        EMAIL_CHANGE_STARTED,
        EMAIL_CHANGE_CURRENT_VERIFIED,
        EMAIL_CHANGE_NEW_CODE_SENT,
        EMAIL_CHANGE_CODE_RESENT,
        EMAIL_CHANGE_CANCELLED,
        EMAIL_CHANGE_EXPIRED,
        PHONE_CHANGE_STARTED,
        PHONE_CHANGE_CURRENT_VERIFIED,
        PHONE_CHANGE_NEW_CODE_SENT,
        PHONE_CHANGE_CODE_RESENT,
        PHONE_CHANGE_CANCELLED,
        PHONE_CHANGE_EXPIRED,
    )
}
# Two-factor authentication.
TWO_FACTOR_ENABLED = event_type("two_factor.enabled", _("Two-factor authentication enabled"), holder_visible=True)
TWO_FACTOR_DISABLED = event_type("two_factor.disabled", _("Two-factor authentication disabled"), holder_visible=True)
TWO_FACTOR_VERIFIED = event_type("two_factor.verified", _("Second factor confirmed"), holder_visible=True)
TWO_FACTOR_FAILED = event_type("two_factor.failed", _("Wrong second-factor code"), holder_visible=True)
TWO_FACTOR_RECOVERY_USED = event_type(
    "two_factor.recovery_code_used", _("Recovery code used"), holder_visible=True
)
OPERATOR_PASSWORD_CHANGED = event_type(
    "operator.password_changed", _("Password changed in the back office"), holder_visible=True
)
