"""The operator's pages, mounted at /operator/ (platform members; not the Django admin). docs/governance.md."""

from django.urls import path

from . import applications, blacklist, dashboard

app_name = "operator"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("applications/", applications.application_queue, name="applications"),
    path("applications/<slug:public_id>/", applications.application_detail, name="application_detail"),
    path("blacklist/", blacklist.blacklist_list, name="blacklist"),
    path("blacklist/import/", blacklist.blacklist_import, name="blacklist_import"),
    path("blacklist/<int:entry_id>/lift/", blacklist.blacklist_lift, name="blacklist_lift"),
    path("interceptions/", blacklist.interceptions, name="interceptions"),
]
