"""The operator's pages, mounted at /operator/ (platform members; not the Django admin). docs/governance.md."""

from django.urls import path

from . import applications, dashboard

app_name = "operator"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("applications/", applications.application_queue, name="applications"),
    path("applications/<slug:public_id>/", applications.application_detail, name="application_detail"),
]
