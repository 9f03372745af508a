"""Community routes, mounted at /community/."""

from django.urls import URLPattern, URLResolver, path

from . import views

app_name = "community"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.feed, name="feed"),
    path("tiers/", views.tier_criteria, name="tiers"),
    path("me/", views.my_points, name="me"),
    path("me/trials/<int:participation_id>/<str:answer>/", views.trial_answer, name="trial_answer"),
    path("reviews/<int:review_id>/helpful/", views.helpful, name="helpful"),
    path("reviews/<int:review_id>/share.png", views.share_card, name="share_card"),
]
