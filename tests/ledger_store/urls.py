"""A small URLconf for the log's views, until the lead's root URLconf includes them."""

from django.urls import include, path

urlpatterns = [path("log/", include("xinren.ledger.store.urls"))]
