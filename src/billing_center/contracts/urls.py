from django.urls import path

from billing_center.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("export.csv", views.contract_export, name="export"),
    path("<int:contract_id>/", views.contract_detail, name="detail"),
    path(
        "<int:contract_id>/attachments/<int:attachment_id>/download",
        views.attachment_download,
        name="attachment_download",
    ),
]
