"""/badges/ routes: embeddable SVG badges (docs/badges.md)."""

from django.urls import URLPattern, path, re_path

from . import views

app_name = "badges"

urlpatterns: list[URLPattern] = [
    re_path(r"^score/(?P<gtin>[0-9]{14})\.svg$", views.score_badge, name="score"),
    path("xinrengou/<slug:slug>.svg", views.xinrengou_badge, name="xinrengou"),
    path("programme/<slug:code>.svg", views.programme_badge, name="programme"),
]
