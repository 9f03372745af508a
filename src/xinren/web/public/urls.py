"""Public pages: the home page and the GS1 Digital Link paths (/01/<gtin>[/10/<lot>][/21/<serial>])."""

from django.urls import URLPattern, URLResolver, path, re_path

from . import probation, views

app_name = "public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("lookup/", views.lookup, name="lookup"),
    path("governance/probation/", probation.probation_policy, name="probation_policy"),
    # A guarantee programme's rules and members, one tap from every badge (xinren.aftersales.programmes).
    path("guarantees/<slug:slug>/", views.programme_detail, name="programme_detail"),
    # A lab report's readable page, by its report number (the UUID in its signed statement); ADR 0038.
    path("lab-reports/<uuid:report_uuid>/", views.lab_report_page, name="lab_report"),
    # An item's proof bundle, by GTIN and serial (published beside the pages; web/public/proof_bundles.py).
    re_path(r"^proofs/01/(?P<gtin>[0-9]{8,14})/21/(?P<serial>[^/]{1,20})\.json$", views.proof_bundle,
            name="proof_bundle"),
    # A section a phone rarely opens, on its own page beside its lot's or product's page (pages.ON_DEMAND);
    # nginx serves the published file, this renders it on a miss.
    re_path(r"^01/(?P<code>.+)/(?P<part>album|coldchain)/?$", views.story_part, name="story_part"),
    # Everything under /01/ is a code: malformed ones get the "not registered" page, not a generic 404.
    re_path(r"^01/", views.scan, name="scan"),
]
