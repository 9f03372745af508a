"""The operator's pages, mounted at /operator/ (platform members; not the Django admin). docs/governance.md."""

from django.urls import path

from . import dashboard, probation

app_name = "operator"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("probation/", probation.probation_list, name="probation_list"),
    path("probation/<int:probation_id>/extend/", probation.probation_extend_view, name="probation_extend"),
]
