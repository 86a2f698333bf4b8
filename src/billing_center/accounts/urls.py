"""Console pages of the accounts app: sign-up/login pages (urls_auth) and Account Settings (urls_settings)."""

from django.urls import path

from billing_center.accounts import urls_auth, urls_settings, views_overview

app_name = "accounts"

urlpatterns = [
    path("overview", views_overview.overview, name="overview"),
    *urls_auth.urlpatterns,
    *urls_settings.urlpatterns,
]
