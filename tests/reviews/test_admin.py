"""The admin shows reviews read-only, with no delete anywhere; operators fold through an action."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import DiaryEntry, DiaryInvitation, Flag, Notification, Reply, Review
from xinren.reviews.services import review_post

from .conftest import line_delivered

pytestmark = pytest.mark.django_db


def _request(user):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/reviews/review/")
    request.user = user
    request._messages = []  # type: ignore[attr-defined]
    return request


@pytest.mark.parametrize("model", [Review, Reply, Flag, DiaryEntry, DiaryInvitation, Notification])
def test_nothing_is_deleted_or_edited_from_the_admin(operator, model):
    # given
    operator.user.is_superuser = True
    model_admin = admin.site._registry.get(model) or next(
        inline(Review, admin.site) for inline in admin.site._registry[Review].inlines if inline.model is model
    )
    request = _request(operator.user)
    # then
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_add_permission(request) is False


def test_stars_and_text_are_read_only_and_there_is_no_delete_action(operator):
    # given
    operator.user.is_superuser = True
    review_admin = admin.site._registry[Review]
    request = _request(operator.user)
    # then
    assert {"stars", "text", "verified_purchase"} <= set(review_admin.get_readonly_fields(request))
    assert "delete_selected" not in review_admin.get_actions(request)
    assert "fold_unlawful" in review_admin.get_actions(request)


def test_the_fold_action_folds_through_the_service(platform, operator, consumer, product, monkeypatch):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=1, text="太差了")
    review_admin = admin.site._registry[Review]
    monkeypatch.setattr(review_admin, "message_user", lambda *args, **kwargs: None)
    action = review_admin.get_actions(_request(operator.user))["fold_unlawful"][0]
    # when
    action(review_admin, _request(operator.user), Review.objects.filter(pk=review.pk))
    # then
    assert Review.objects.values_list("status", "fold_reason").get(pk=review.pk) == (
        ReviewStatus.FOLDED, "含违法或侵权信息",
    )
