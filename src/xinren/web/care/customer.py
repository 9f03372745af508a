"""The customer's care tickets (/care/tickets/<id>/, their own only): the merchant's offer to accept or decline,
then the satisfaction rating of the call-back."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.models import User
from xinren.care import selectors, services
from xinren.care.choices import TYPE_LABELS, OfferStatus
from xinren.core.errors import DomainError
from xinren.web.shop.session import render_shop, shop_view


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("满意度"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
    )
    comment = forms.CharField(
        label=gettext_lazy("说明（可不填）"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _page(
    request: HttpRequest,
    consumer: User,
    ticket_id: int,
    *,
    form: RatingForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    ticket = selectors.own_ticket(consumer=consumer, ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    offers = list(ticket.offers.all())
    pending = next((offer for offer in offers if offer.status == OfferStatus.PENDING), None)
    can_rate = (
        ticket.satisfaction is None and ticket.contacted_at is not None and ticket.status in services.RATING_STATUSES
    )
    return render_shop(
        request,
        "care/ticket.html",
        {
            "ticket": ticket,
            "offers": offers,
            "pending": pending,
            "can_rate": can_rate,
            "types": [str(TYPE_LABELS.get(kind, kind)) for kind in ticket.types],
            "pending_text": services.offer_describe(pending) if pending else "",
            "form": form or RatingForm(),
            "error": error,
        },
        status=status,
    )


@require_safe
@shop_view
def ticket_list(request: HttpRequest, consumer: User) -> HttpResponse:
    return render_shop(request, "care/ticket_list.html", {"tickets": selectors.own_tickets(consumer=consumer)})


@require_safe
@shop_view
def ticket_detail(request: HttpRequest, consumer: User, ticket_id: int) -> HttpResponse:
    return _page(request, consumer, ticket_id)


@require_POST
@shop_view
def ticket_answer(request: HttpRequest, consumer: User, ticket_id: int) -> HttpResponse:
    try:
        services.offer_answer(consumer=consumer, ticket_id=ticket_id, accept=request.POST.get("answer") == "accept")
    except DomainError as exc:
        return _page(request, consumer, ticket_id, error=str(exc.message), status=exc.status)
    messages.success(request, _("已提交"))
    return redirect("care:ticket", ticket_id=ticket_id)


@require_POST
@shop_view
def ticket_rate(request: HttpRequest, consumer: User, ticket_id: int) -> HttpResponse:
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _page(request, consumer, ticket_id, form=form, status=422)
    try:
        services.ticket_rate(
            consumer=consumer,
            ticket_id=ticket_id,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as exc:
        return _page(request, consumer, ticket_id, form=form, error=str(exc.message), status=exc.status)
    messages.success(request, _("感谢你的评价"))
    return redirect("care:ticket", ticket_id=ticket_id)
