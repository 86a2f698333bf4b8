from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from billing_center.api import api
from billing_center.core import views as core_views

admin.site.site_header = _("Billing Center back office")
admin.site.site_title = _("Billing Center back office")
admin.site.index_title = _("Back office")

urlpatterns = [
    path("", core_views.landing, name="landing"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("backoffice/", admin.site.urls),
    path("dev/", include("billing_center.verification.urls")),
    path("contracts/", include("billing_center.contracts.urls")),
    path("", include("billing_center.accounts.urls")),
]
