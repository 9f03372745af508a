"""The admin shows reviews read-only, with no delete anywhere; operators fold through an action."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from xinren.notify.tasks import review_folded_notify
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import DiaryEntry, DiaryInvitation, Flag, Fold, Reply, Review
from xinren.reviews.services import review_post

from ..fixtures.reviews import line_delivered
from ..fixtures.tasks import queued

pytestmark = pytest.mark.django_db


def _request(user):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/reviews/review/")
    request.user = user
    request._messages = []  # type: ignore[attr-defined]
    return request


@pytest.mark.parametrize("model", [Review, Reply, Flag, DiaryEntry, DiaryInvitation])
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


def test_the_fold_action_folds_through_the_service(platform, operator, consumer, product_on_sale, monkeypatch):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=1,
                         text="太差了")
    review_admin = admin.site._registry[Review]
    monkeypatch.setattr(review_admin, "message_user", lambda *args, **kwargs: None)
    action = review_admin.get_actions(_request(operator.user))["fold_unlawful"][0]
    # when
    action(review_admin, _request(operator.user), Review.objects.filter(pk=review.pk))
    # then
    assert Review.objects.values_list("status", "fold_reason").get(pk=review.pk) == (
        ReviewStatus.FOLDED, "含违法或侵权信息",
    )


def test_the_operator_folds_with_a_reason_typed_in_the_action_bar(platform, operator, consumer, product_on_sale):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=1,
                         text="太差了")
    operator.user.is_staff = operator.user.is_superuser = True
    operator.user.save()
    client = Client()
    client.force_login(operator.user)
    # when
    response = client.post("/admin/reviews/review/", {
        "action": "fold_with_reason", "_selected_action": [review.pk], "reason": "泄露他人电话号码",
    })
    # then
    assert response.status_code == 302
    assert Review.objects.values_list("status", "fold_reason").get(pk=review.pk) == (
        ReviewStatus.FOLDED, "泄露他人电话号码",
    )
    # and the author is told (the notify context's task, queued in the same transaction)
    assert queued(review_folded_notify) == [{"review_id": review.pk, "fold_id": Fold.objects.get(review=review).pk}]


def test_folding_without_a_reason_is_refused(platform, operator, consumer, product_on_sale):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=1,
                         text="太差了")
    operator.user.is_staff = operator.user.is_superuser = True
    operator.user.save()
    client = Client()
    client.force_login(operator.user)
    # when
    client.post("/admin/reviews/review/", {"action": "fold_with_reason", "_selected_action": [review.pk], "reason": ""})
    # then
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.VISIBLE
    assert Fold.objects.count() == 0
