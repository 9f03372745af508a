"""关怀工单 in the console: /merchant/care/ for a merchant's staff (their own merchant) and /operator/care/ for
operators (every merchant, by merchant, with the satisfaction of call-backs). One POST endpoint per ticket
takes the action: contact, note, offer, close (docs/care.md)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.care import selectors, services
from xinren.care.charts import weekly_types_svg
from xinren.care.choices import TYPE_LABELS, OfferKind
from xinren.care.highlight import evidence_marked
from xinren.care.models import CareTicket
from xinren.core.errors import DomainError
from xinren.core.money import fen_to_yuan
from xinren.web.merchant.console import console_view, form_error, render_console

ACTIONS = ("contact", "note", "offer", "close")


class NoteForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("处理记录"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("方案"), choices=OfferKind.choices)
    amount_yuan = forms.DecimalField(
        label=gettext_lazy("金额（元）"),
        min_value=Decimal("0"),
        decimal_places=2,
        max_digits=10,
        initial=Decimal("0"),
        help_text=gettext_lazy("换货填 0；不能超过该商品可退金额"),
    )
    message = forms.CharField(
        label=gettext_lazy("给买家的话"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


def _ticket_rows(tickets: list[CareTicket]) -> list[dict[str, object]]:
    return [
        {
            "ticket": ticket,
            "customer": selectors.customer_shown(ticket.customer),
            "types": [str(TYPE_LABELS.get(kind, kind)) for kind in ticket.types],
            "records": [
                {"record": record, "marked": evidence_marked(record.text, record.evidence)}
                for record in ticket.records.all()
            ],
            "offer": next(iter(ticket.offers.all()), None),
            "limit_yuan": fen_to_yuan(services.offer_limit_fen(ticket)) if ticket.line_id else "",
        }
        for ticket in tickets
    ]


def _page(
    request: HttpRequest,
    actor: Actor,
    *,
    failed: int | None = None,
    forms_failed: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    platform = actor.organization.kind == OrganizationKind.PLATFORM
    trends = selectors.complaint_trends(actor=actor)
    context = {
        "rows": _ticket_rows(selectors.care_queue(actor=actor)),
        "trends": trends,
        "platform": platform,
        "chart": weekly_types_svg(trends.weeks, trends.by_type_week, title=_("每周投诉（按类型）")),
        "note_form": NoteForm(),
        "offer_form": OfferForm(),
        "failed": failed,
        **(forms_failed or {}),
        "satisfaction": selectors.satisfaction(actor=actor),
        "satisfaction_by_merchant": selectors.satisfaction_by_merchant(actor=actor) if platform else [],
        "action_url": "operator:care_ticket" if platform else "merchant:care_ticket",
    }
    return render_console(request, actor, "care/console.html", context, status=status)


@require_safe
@console_view(kinds=CATALOG_KINDS)
def merchant_care(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


@require_safe
@console_view(kinds=[OrganizationKind.PLATFORM])
def operator_care(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


def _act(request: HttpRequest, actor: Actor, ticket_id: int, home: str) -> HttpResponse:
    action = request.POST.get("action", "")
    form: forms.Form = OfferForm(request.POST) if action == "offer" else NoteForm(request.POST)
    status = 422
    if action in ACTIONS and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "offer":
                services.offer_make(
                    actor=actor,
                    ticket_id=ticket_id,
                    kind=data["kind"],
                    amount_fen=int(data["amount_yuan"] * 100),
                    message=data["message"],
                )
            else:
                act = {
                    "contact": services.ticket_contact,
                    "note": services.ticket_note,
                    "close": services.ticket_close,
                }[action]
                act(actor=actor, ticket_id=ticket_id, note=data["note"])
        except DomainError as exc:
            status = form_error(
                form,
                exc,
                fields={"care.offer_amount_exceeds": "amount_yuan", "care.offer_amount_invalid": "amount_yuan"},
            )
        else:
            messages.success(request, _("已保存"))
            return redirect(reverse(home) + f"#ticket-{ticket_id}")
    elif action not in ACTIONS:
        form.add_error(None, _("未知的操作"))
    name = "failed_offer_form" if action == "offer" else "failed_note_form"
    return _page(request, actor, failed=ticket_id, forms_failed={name: form}, status=status)


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def merchant_care_ticket(request: HttpRequest, actor: Actor, ticket_id: int) -> HttpResponse:
    return _act(request, actor, ticket_id, "merchant:care")


@require_POST
@console_view(role=Role.STAFF, kinds=[OrganizationKind.PLATFORM])
def operator_care_ticket(request: HttpRequest, actor: Actor, ticket_id: int) -> HttpResponse:
    return _act(request, actor, ticket_id, "operator:care")
