"""Cost transparency in the console: every product's breakdown against its price now, re-publishing a stale one in
one step, and one product's breakdown with its versions (xinren.costs, ADR 0035)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog import selectors as catalog_selectors
from xinren.catalog.models import Product
from xinren.core.errors import DomainError
from xinren.core.money import fen_to_yuan
from xinren.costs import selectors, services
from xinren.costs.models import COST_LINES
from xinren.costs.prices import lines_for_price, price_state
from xinren.costs.selectors import COST_LINE_LABELS

from ...cost_prices import offer_price_for_merchant, offer_prices_for_merchant
from ..console import console_view, form_error, render_console


class CostBreakdownForm(forms.Form):
    """The six lines in yuan, and the price the merchant saw when filling them in (hidden)."""

    price = forms.CharField(label=gettext_lazy("售价"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in COST_LINES:
            self.fields[name] = forms.DecimalField(
                label=COST_LINE_LABELS[name], min_value=Decimal(0), max_digits=12, decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            )

    def lines(self) -> dict[str, str]:
        return {name: str(self.cleaned_data[name]) for name in COST_LINES}


def _initial(lines_fen: Mapping[str, int] | None, price_fen: int | None) -> dict[str, str]:
    initial = {name: fen_to_yuan(fen) for name, fen in (lines_fen or {}).items()}
    return initial | ({"price": fen_to_yuan(price_fen)} if price_fen is not None else {})


@console_view(kinds=CATALOG_KINDS)
def cost_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    products, offers = offer_prices_for_merchant(actor=actor)
    rows = [
        {"row": row, "form": CostBreakdownForm(initial=_initial(row.suggested_fen, row.offer.price_fen),
                                               auto_id=f"p{row.product.pk}_%s")}
        if row.state == "stale" and row.offer is not None else {"row": row, "form": None}
        for row in selectors.cost_overview(actor=actor, products=products, offers=offers)
    ]
    stale = sum(1 for entry in rows if entry["form"] is not None)
    return render_console(request, actor, "merchant/cost_list.html", {"rows": rows, "stale": stale})


def _product_page(
    request: HttpRequest, actor: Actor, product: Product, *, form: CostBreakdownForm | None = None, status: int = 200
) -> HttpResponse:
    offer = offer_price_for_merchant(actor=actor, product_id=product.pk)
    history = selectors.cost_breakdown_history(actor=actor, product_id=product.pk)
    latest = history[0] if history else None
    state = None if latest is None else price_state(
        price_fen=latest.price_fen, current_price_fen=None if offer is None else offer.price_fen
    )
    if form is None:
        lines = None if latest is None else {name: getattr(latest, name) for name in COST_LINES}
        if lines is not None and offer is not None:
            lines = lines_for_price(lines=lines, price_fen=offer.price_fen)
        form = CostBreakdownForm(initial=_initial(lines, None if offer is None else offer.price_fen))
    context = {"product": product, "offer": offer, "history": history, "latest": latest, "state": state,
               "form": form, "price_yuan": None if offer is None else fen_to_yuan(offer.price_fen)}
    return render_console(request, actor, "merchant/cost_product.html", context, status=status)


@console_view(kinds=CATALOG_KINDS)
def product_costs(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = catalog_selectors.product_get(actor=actor, product_id=product_id)
    if request.method != "POST":
        return _product_page(request, actor, product)
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    form = CostBreakdownForm(request.POST)
    if not form.is_valid():
        return _product_page(request, actor, product, form=form, status=422)
    try:
        breakdown = services.cost_breakdown_publish(
            actor=actor, product_id=product.pk, offer=offer_price_for_merchant(actor=actor, product_id=product.pk),
            lines=form.lines(), price=form.cleaned_data["price"] or None,
        )
    except DomainError as exc:
        return _product_page(request, actor, product, form=form, status=form_error(form, exc))
    messages.success(request, _("成本构成第 %(version)s 版已按售价 ¥%(price)s 签名发布，消费者页面随即更新") % {
        "version": breakdown.version, "price": fen_to_yuan(breakdown.price_fen)})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(request.path)
