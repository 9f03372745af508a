"""/log/ routes (the lead includes them as `path("log/", include("xinren.ledger.store.urls"))`)."""

from __future__ import annotations

from django.urls import path, re_path

from . import views

app_name = "log"

urlpatterns = [
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    path("cosignature", views.cosignature, name="cosignature"),
    path("witnesses", views.witnesses, name="witnesses"),
    re_path(r"^tile/(?P<path>(?:entries|\d+)/[x0-9/]+(?:\.p/\d+)?)$", views.tile, name="tile"),
    path("proof/inclusion", views.inclusion_proof, name="inclusion_proof"),
    path("proof/consistency", views.consistency_proof, name="consistency_proof"),
    path("bundle/<int:index>", views.bundle, name="bundle"),
    re_path(r"^entry/(?P<leaf_hash>[0-9a-fA-F]{64})$", views.entry, name="entry"),
]
