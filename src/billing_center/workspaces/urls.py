from django.urls import path

from billing_center.workspaces import views

app_name = "workspaces"

urlpatterns = [
    path("", views.workspace_list, name="list"),
    path("<str:workspace_id>/", views.workspace_detail, name="detail"),
]
