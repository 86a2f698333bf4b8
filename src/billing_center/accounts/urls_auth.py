"""Sign-up, login, login by code, forgot password, re-authentication, logout and language pages."""

from django.urls import path

from billing_center.accounts import views_auth, views_two_factor

urlpatterns = [
    path("signup", views_auth.signup, name="signup"),
    path("login", views_auth.login, name="login"),
    path("login/code", views_auth.login_code, name="login_code"),
    path("password-reset", views_auth.password_reset, name="password_reset"),
    path("login/two-factor", views_two_factor.second_factor, name="two_factor"),
    path("reauthenticate", views_auth.reauthenticate, name="reauthenticate"),
    path("logout", views_auth.logout, name="logout"),
    path("language", views_auth.language, name="language"),
    path("language/notifications", views_auth.notification_language, name="notification_language"),
]
