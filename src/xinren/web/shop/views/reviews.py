"""A consumer's reviews: write one from a delivered order line, see it with its diary, write the day 7/15/30
diary entries, answer a fold. Refusals from the services are shown in the forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.models import User
from xinren.core.errors import DomainError, NotFound
from xinren.reviews import errors, selectors, services
from xinren.reviews.choices import Milestone, ReviewStatus
from xinren.reviews.tags import suggested_tags

from ..forms import DiaryForm, ResponseForm, ReviewForm
from ..session import form_error, render_shop, shop_view


def _uploads(form: ReviewForm) -> list[tuple[str, bytes]]:
    files = list(form.cleaned_data.get("photos") or [])
    if form.cleaned_data.get("video"):
        files.append(form.cleaned_data["video"])
    return [(upload.name or "upload", upload.read()) for upload in files]


@shop_view
def review_create(request: HttpRequest, consumer: User, line_id: int) -> HttpResponse:
    """写评价: stars and the three detailed seller ratings (fixed once posted),
    text, tags, photos and a video, for one delivered order line."""
    line = selectors.consumer_line_get(consumer=consumer, line_id=line_id)
    existing = getattr(line, "review", None) if hasattr(line, "review") else None
    if request.method == "GET" and existing is not None:
        return redirect("shop:review_detail", review_id=existing.pk)
    form = ReviewForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                review = services.review_post(
                    consumer=consumer,
                    line_id=line.pk,
                    stars=form.cleaned_data["stars"],
                    text=form.cleaned_data["text"],
                    tags=form.cleaned_data["tags"],
                    media=_uploads(form),
                    seller_ratings=form.seller_ratings(),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("评价已发布，并记入公开日志。收货第 7、15、30 天时，欢迎再写使用日记。"))
                return redirect("shop:review_detail", review_id=review.pk)
    elif request.method != "GET":
        return HttpResponse(status=405)
    context = {"form": form, "line": line, "suggested_tags": suggested_tags(line.product.category)}
    return render_shop(request, "shop/review_form.html", context, status=status)


@require_safe
@shop_view
def review_list(request: HttpRequest, consumer: User) -> HttpResponse:
    """我的评价: lines waiting for a review, diaries due, and the reviews written."""
    return render_shop(
        request,
        "shop/review_list.html",
        {
            "awaiting": selectors.lines_awaiting_review(consumer=consumer)[:50],
            "invitations": selectors.open_diary_invitations(consumer=consumer)[:50],
            "reviews": selectors.consumer_review_list(consumer=consumer)[:100],
        },
    )


def _detail_context(review: Any, response_form: ResponseForm | None = None) -> dict[str, Any]:
    return {
        "review": review,
        "milestones": selectors.diary_milestones(review=review),
        "reply": getattr(review, "reply", None) if hasattr(review, "reply") else None,
        "media": selectors.review_media(review=review),
        "folded": review.status == ReviewStatus.FOLDED,
        "folds": list(review.folds.all()),
        "can_respond": review.status == ReviewStatus.FOLDED and review.author_responded_at is None,
        "response_form": response_form or ResponseForm(),
    }


@require_safe
@shop_view
def review_detail(request: HttpRequest, consumer: User, review_id: int) -> HttpResponse:
    review = selectors.consumer_review_get(consumer=consumer, review_id=review_id)
    return render_shop(request, "shop/review_detail.html", _detail_context(review))


@require_POST
@shop_view
def review_respond(request: HttpRequest, consumer: User, review_id: int) -> HttpResponse:
    """The author answers a fold, publicly and once."""
    review = selectors.consumer_review_get(consumer=consumer, review_id=review_id)
    form = ResponseForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.review_respond(consumer=consumer, review_id=review.pk, text=form.cleaned_data["text"])
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("申辩已公开显示在评价下。"))
            return redirect("shop:review_detail", review_id=review.pk)
    review = selectors.consumer_review_get(consumer=consumer, review_id=review_id)
    return render_shop(request, "shop/review_detail.html", _detail_context(review, form), status=status)


@shop_view
def diary_create(request: HttpRequest, consumer: User, review_id: int, milestone: int) -> HttpResponse:
    """Write the usage diary of day 7, 15 or 30 (once it has come)."""
    review = selectors.consumer_review_get(consumer=consumer, review_id=review_id)
    if milestone not in Milestone.values:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    form = DiaryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.diary_post(
                    consumer=consumer, review_id=review.pk, milestone=milestone, text=form.cleaned_data["text"]
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("使用日记已发布，附在你的原评价下。"))
                return redirect("shop:review_detail", review_id=review.pk)
    elif request.method != "GET":
        return HttpResponse(status=405)
    row = next(row for row in selectors.diary_milestones(review=review) if row["milestone"] == milestone)
    return render_shop(
        request, "shop/diary_form.html", {"form": form, "review": review, "milestone": row}, status=status
    )
