"""Browsing what is for sale, and buying it now."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from xinren.accounts.consumers import is_consumer
from xinren.accounts.models import User
from xinren.aftersales.programmes.section import guarantees_section_for
from xinren.aftersales.programmes.selectors import badges_for
from xinren.catalog.choices import PERISHABLE_CATEGORIES
from xinren.catalog.facts_section import facts_section_for
from xinren.catalog.suspensions import suspended_listing_get
from xinren.core.errors import DomainError, NotFound
from xinren.orders import selectors, services
from xinren.orders.models import Offer
from xinren.orders.stock import availability_for, availability_of
from xinren.reviews.selectors import product_rating
from xinren.trust.delisting.selectors import history_section_for
from xinren.trust.scores.formula import CURRENT_VERSION
from xinren.trust.scores.selectors import score_section_for, score_sections_for

from ..device import device_of
from ..forms import BuyForm
from ..session import form_error, render_shop

# 看分下单: the shop sorted or filtered by trust score (docs/trust-model.md). Unknown values fall back to the default.
SORTS = ("", "score", "price", "-price")
MIN_SCORES = ("", "3", "3.5", "4", "4.5")


def product_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTS else ""
    minimum = request.GET.get("min", "")
    minimum = minimum if minimum in MIN_SCORES else ""
    offers = list(selectors.shop_offer_list())
    scores = score_sections_for(product_ids=[offer.product_id for offer in offers])

    def score_of(offer: Offer) -> Decimal | None:
        section = scores.get(offer.product_id)
        return Decimal(section["score"]) if section and section["score"] is not None else None

    if minimum:
        offers = [offer for offer in offers if (score_of(offer) or Decimal(0)) >= Decimal(minimum)]
    if sort == "score":  # highest first; "评分数据不足" last, in the default order
        offers.sort(key=lambda offer: (score_of(offer) is None, -(score_of(offer) or Decimal(0))))
    elif sort in ("price", "-price"):
        offers.sort(key=lambda offer: offer.price_fen, reverse=sort == "-price")
    available = availability_for(offers)
    badges = badges_for(pairs=[(offer.merchant_id, offer.product.category) for offer in offers])
    rows = [(offer, available[offer.pk], badges[(offer.merchant_id, offer.product.category)]) for offer in offers]
    context = {"rows": rows, "scores": scores, "sort": sort, "minimum": minimum, "formula": CURRENT_VERSION}
    return render_shop(request, "shop/product_list.html", context)


def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    try:
        offer = selectors.shop_offer_get(product_id=product_id)
    except NotFound as exc:
        if (suspended := suspended_listing_get(product_id=product_id)) is not None:
            product, suspension = suspended  # on the shelf, but not for sale now: say why
            context = {"product": product, "suspension": suspension,
                       "trust_delisting": history_section_for(product=product)}
            return render_shop(request, "shop/product_suspended.html", context)
        raise Http404(str(exc.message)) from exc
    if request.method == "POST" and not is_consumer(request.user):
        return redirect_to_login(request.get_full_path(), login_url=reverse("shop:signin"))
    form = BuyForm(request.POST or None, initial={"quantity": 1, "token": secrets.token_urlsafe(16)})
    if offer.product.category not in PERISHABLE_CATEGORIES:
        del form.fields["return_exclusion"]
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            consumer = request.user
            assert isinstance(consumer, User)
            try:
                order = services.order_place(
                    consumer=consumer,
                    lines=[services.LineRequest(product_id=offer.product_id, quantity=form.cleaned_data["quantity"])],
                    recipient_name=form.cleaned_data["recipient_name"],
                    recipient_phone=form.cleaned_data["recipient_phone"],
                    shipping_address=form.cleaned_data["shipping_address"],
                    note=form.cleaned_data["note"],
                    client_token=form.cleaned_data["token"],
                    return_exclusion_confirmed=bool(form.cleaned_data.get("return_exclusion")),
                    device=device_of(request),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("订单已提交，请在 30 分钟内完成支付"))
                return redirect("shop:order_detail", number=order.number)
    context = {
        "offer": offer,
        "product": offer.product,
        "form": form,
        "signed_in": is_consumer(request.user),
        "available": availability_of(offer),
        "rating": product_rating(product_id=offer.product_id),
        "guarantees": guarantees_section_for(product=offer.product),
        "facts": facts_section_for(product=offer.product),
        "score": score_section_for(product=offer.product),
    }
    return render_shop(request, "shop/product_detail.html", context, status=status)
