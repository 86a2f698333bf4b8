"""Account Settings > Enterprise certification (included under /settings/)."""

from django.urls import path

from billing_center.certification import views

app_name = "certification"

urlpatterns = [
    path("certification", views.page, name="page"),
    path("certification/licence", views.licence, name="licence"),
]
