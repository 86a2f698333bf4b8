from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from billing_center.api import api
from billing_center.core import views as core_views

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path(f"{settings.BACKOFFICE_PATH}/", admin.site.urls),
    path("dev/", include("billing_center.verification.urls")),
    path("contracts/", include("billing_center.contracts.urls")),
    path("settings/", include("billing_center.certification.urls")),
    path("workspaces/", include("billing_center.workspaces.urls")),
    path("", include("billing_center.cloud.urls")),
    path("", include("billing_center.accounts.urls")),
]
