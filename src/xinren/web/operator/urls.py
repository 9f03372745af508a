"""The operator's pages, mounted at /operator/ (platform members; not the Django admin). docs/governance.md."""

from django.urls import path

from . import blacklist, dashboard

app_name = "operator"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("blacklist/", blacklist.blacklist_list, name="blacklist"),
    path("blacklist/import/", blacklist.blacklist_import, name="blacklist_import"),
    path("blacklist/<int:entry_id>/lift/", blacklist.blacklist_lift, name="blacklist_lift"),
    path("interceptions/", blacklist.interceptions, name="interceptions"),
]
