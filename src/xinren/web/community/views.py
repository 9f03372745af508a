"""Community pages (好物圈): the feed, helpful votes, share cards, the tier criteria, my points and trials."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinren.accounts.consumers import is_consumer
from xinren.accounts.models import User
from xinren.catalog.choices import ProductCategory
from xinren.catalog.models import Product
from xinren.community import selectors, services, sharecard, tiers
from xinren.community.choices import Tier
from xinren.community.models import ConsumerTier
from xinren.core.errors import DomainError
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import Review

from ..shop.session import render_shop, shop_view


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/community/"


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    if category not in ProductCategory.values:
        category = ""
    product_id = request.GET.get("product", "")
    product = Product.objects.filter(pk=int(product_id)).first() if product_id.isdigit() else None
    viewer = request.user if is_consumer(request.user) else None
    try:
        page = selectors.feed_page(category=category, product_id=product.pk if product else None,
                                   after=request.GET.get("after", ""), viewer=viewer)  # type: ignore[arg-type]
    except DomainError as exc:
        return render_shop(request, "community/feed.html", {"error": exc, "items": []}, status=exc.status)
    return render_shop(request, "community/feed.html", {
        "items": page["items"], "next": page["next"], "category": category, "product": product,
        "categories": ProductCategory.choices,
    })


@require_POST
@shop_view
def helpful(request: HttpRequest, consumer: User, review_id: int) -> HttpResponse:
    try:
        if request.POST.get("action") == "undo":
            services.helpful_unvote(consumer=consumer, review_id=review_id)
        else:
            services.helpful_vote(consumer=consumer, review_id=review_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(_back(request))


@require_GET
def share_card(request: HttpRequest, review_id: int) -> HttpResponse:
    review = Review.objects.select_related("product").filter(pk=review_id, status=ReviewStatus.VISIBLE).first()
    if review is None:
        raise Http404(_("找不到该评价"))
    sharer = request.user if is_consumer(request.user) else None
    ref = selectors.referral_id(sharer) if isinstance(sharer, User) else ""
    tier = ConsumerTier.objects.filter(consumer_id=review.consumer_id).values_list("tier", flat=True).first()
    try:
        data = sharecard.card_get_or_render(
            review=review, ref=ref,
            tier_label=str(Tier(tier).label) if tier and tier != Tier.ORDINARY else "",
            trial_label=selectors.trial_review_labels(review_ids=[review.pk]).get(review.pk, ""),
        )
    except DomainError as exc:  # the copy breaks the Advertising Law: no card, the article and a rewrite instead
        return HttpResponse(str(exc.message), status=422, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600" if ref else "public, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="xinren-review-{review.pk}.png"'
    return response


@require_GET
def tier_criteria(request: HttpRequest) -> HttpResponse:
    return render_shop(request, "community/tiers.html", {
        "tiers": tiers.published(), "version": tiers.VERSION, "window_days": tiers.WINDOW_DAYS,
    })


@require_GET
@shop_view
def my_points(request: HttpRequest, consumer: User) -> HttpResponse:
    tier = selectors.consumer_tier(consumer=consumer)
    return render_shop(request, "community/me.html", {
        "balance": selectors.points_balance(consumer=consumer),
        "entries": selectors.points_entries(consumer=consumer)[:100],
        "tier": tier, "tier_label": Tier(tier.tier).label if tier else Tier.ORDINARY.label,
        "history": selectors.tier_history(consumer=consumer)[:20],
        "invitations": selectors.trial_invitations(consumer=consumer)[:50],
    })


@require_POST
@shop_view
def trial_answer(request: HttpRequest, consumer: User, participation_id: int, answer: str) -> HttpResponse:
    if answer not in ("accept", "decline"):
        raise Http404(answer)
    try:
        services.trial_respond(consumer=consumer, participation_id=participation_id, accept=answer == "accept")
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已回复邀请"))
    return redirect("community:me")
