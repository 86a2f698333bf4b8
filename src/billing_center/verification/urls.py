from django.urls import path

from billing_center.verification import views

app_name = "verification"

urlpatterns = [
    path("outbox", views.outbox_page, name="outbox"),
    path("outbox.json", views.outbox_json, name="outbox-json"),
]
