# Account Settings pages: profile, security, sessions, security log (engineer "settings").
from django.urls import URLPattern, path

from billing_center.accounts import views_settings, views_two_factor

urlpatterns: list[URLPattern] = [
    path("settings/profile", views_settings.profile, name="profile"),
    path("settings/email", views_settings.email_change, name="email_change"),
    path("settings/phone", views_settings.phone_change, name="phone_change"),
    path("settings/security", views_settings.security, name="security"),
    path("settings/two-factor", views_two_factor.settings_page, name="two_factor_settings"),
    path("settings/sessions", views_settings.sessions_page, name="sessions"),
    path("settings/security-log", views_settings.security_log, name="security_log"),
]
