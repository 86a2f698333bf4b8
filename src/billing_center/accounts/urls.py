"""Console pages of the accounts app: sign-up/login pages (urls_auth) and Account Settings (urls_settings)."""

from django.urls import path
from django.views.generic import RedirectView

from billing_center.accounts import urls_auth, urls_settings

app_name = "accounts"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:profile"), name="home"),
    *urls_auth.urlpatterns,
    *urls_settings.urlpatterns,
]
