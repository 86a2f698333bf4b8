"""Console pages of the accounts app: the overview, sign-up/login pages and Account Settings."""

from django.urls import path

from billing_center.accounts.views import auth, language, overview, settings, two_factor

app_name = "accounts"

urlpatterns = [
    path("overview", overview.overview, name="overview"),
    # Sign-up, login, login by code, forgot password, re-authentication, logout and language.
    path("signup", auth.signup, name="signup"),
    path("login", auth.login, name="login"),
    path("login/code", auth.login_code, name="login_code"),
    path("password-reset", auth.password_reset, name="password_reset"),
    path("login/two-factor", two_factor.second_factor, name="two_factor"),
    path("reauthenticate", auth.reauthenticate, name="reauthenticate"),
    path("logout", auth.logout, name="logout"),
    path("language", language.language, name="language"),
    path("language/notifications", language.notification_language, name="notification_language"),
    # Account Settings: profile, email, phone, security, two-factor, sessions, security log.
    path("settings/profile", settings.profile, name="profile"),
    path("settings/email", settings.identifier_change, {"kind": "email"}, name="email_change"),
    path("settings/phone", settings.identifier_change, {"kind": "phone"}, name="phone_change"),
    path("settings/security", settings.security, name="security"),
    path("settings/two-factor", two_factor.settings_page, name="two_factor_settings"),
    path("settings/sessions", settings.sessions_page, name="sessions"),
    path("settings/security-log", settings.security_log, name="security_log"),
]
