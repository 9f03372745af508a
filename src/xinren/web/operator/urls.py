"""The operator's pages, mounted at /operator/ (platform members; not the Django admin). docs/governance.md."""

from django.urls import path

from . import dashboard

app_name = "operator"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
]
