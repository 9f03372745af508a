"""先行赔付基金 in the console. Operators (platform members) see every account's balance, the fund over time, the
journals and the latest reconciliation with the provider, run one, and pay into the fund; a merchant sees its own
deposit, what it owes the fund and the journals about it, and tops its deposit up. Insurance: an insurer publishes
policies and funds its account; a merchant subscribes. Money moves only through the
services (and from there the payment provider); nothing here edits a journal."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.aftersales.fund import insurance, selectors, services
from xinren.aftersales.fund.chart import balance_chart_svg
from xinren.aftersales.fund.choices import JournalKind, PolicyKind
from xinren.aftersales.fund.reconcile import fund_reconcile
from xinren.core.errors import DomainError

from ..console import console_view, form_error, render_console
from .orders import YuanField

FUND_KINDS = [OrganizationKind.PLATFORM, OrganizationKind.MERCHANT]
PAGE_SIZE = 50


class MoneyInForm(forms.Form):
    """An amount paid in through the provider; the key makes a double submit pay once."""

    amount = YuanField(label=gettext_lazy("金额（元）"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=120)


def _money_in_form(data: QueryDict | None = None) -> MoneyInForm:
    return MoneyInForm(data or None, initial={"idempotency_key": f"web-{secrets.token_hex(12)}"})


@require_safe
@console_view(kinds=FUND_KINDS)
def fund_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _home(request, actor, _money_in_form())


def _home(request: HttpRequest, actor: Actor, form: MoneyInForm, *, status: int = 200) -> HttpResponse:
    recent = selectors.journal_list(actor=actor)[:20]
    if selectors.is_operator(actor):
        series = selectors.fund_balance_series(actor=actor, days=90)
        return render_console(request, actor, "merchant/fund/operator_home.html", {
            "totals": selectors.fund_totals(actor=actor), "accounts": selectors.account_list(actor=actor),
            "chart": balance_chart_svg(series), "reconciliation": selectors.reconciliation_latest(actor=actor),
            "journals": recent, "form": form,
        }, status=status)
    return render_console(request, actor, "merchant/fund/merchant_home.html", {
        "position": selectors.merchant_position(actor=actor), "journals": recent, "form": form,
    }, status=status)


@require_POST
@console_view(kinds=FUND_KINDS, role=Role.ADMIN)
def fund_money_in(request: HttpRequest, actor: Actor) -> HttpResponse:
    """An operator pays into the fund; a merchant tops up its own deposit."""
    form = _money_in_form(request.POST)
    if not form.is_valid():
        return _home(request, actor, form, status=422)
    amount, key = form.cleaned_data["amount"], form.cleaned_data["idempotency_key"]
    try:
        if selectors.is_operator(actor):
            services.fund_contribute(actor=actor, amount_fen=amount, idempotency_key=key)
        else:
            services.deposit_collect(actor=actor, merchant=actor.organization, amount_fen=amount,
                                     idempotency_key=key)
    except DomainError as exc:
        status = form_error(form, exc, {"fund.amount_invalid": "amount"})
        return _home(request, actor, form, status=status)
    messages.success(request, _("已通过支付渠道入账"))
    return redirect("merchant:fund_home")


@require_safe
@console_view(kinds=FUND_KINDS)
def fund_journals(request: HttpRequest, actor: Actor) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in JournalKind.values else ""
    page = Paginator(selectors.journal_list(actor=actor, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_console(request, actor, "merchant/fund/journals.html", {
        "page": page, "kind": kind, "kinds": JournalKind.choices, "operator": selectors.is_operator(actor),
    })


@require_POST
@console_view(kinds=[OrganizationKind.PLATFORM], role=Role.ADMIN)
def fund_reconcile_run(request: HttpRequest, actor: Actor) -> HttpResponse:
    report = fund_reconcile()
    if report.ok:
        messages.success(request, _("对账完成：账本与支付渠道一致"))
    else:
        messages.error(request, _("对账发现 %(n)s 处差异") % {"n": report.drift_count})
    return redirect("merchant:fund_home")


class OptionalYuanField(YuanField):
    """A yuan amount that may be left empty (None)."""

    def clean(self, value: object) -> int | None:  # type: ignore[override]
        return None if not str(value or "").strip() else super().clean(value)


class PolicyForm(forms.Form):
    """An insurer's new policy; the service checks it against the statutory floors."""

    kind = forms.ChoiceField(label=gettext_lazy("险种"), choices=PolicyKind.choices)
    title = forms.CharField(label=gettext_lazy("名称"), max_length=80)
    covers_food = forms.BooleanField(label=gettext_lazy("适用于食品"), required=False)
    price_multiple = forms.IntegerField(label=gettext_lazy("价款倍数"), required=False, min_value=0, max_value=1000)
    minimum = OptionalYuanField(label=gettext_lazy("最低赔付（元）"), required=False)
    pays_return_shipping = forms.BooleanField(label=gettext_lazy("赔付退货运费"), required=False)
    fixed = OptionalYuanField(label=gettext_lazy("固定赔付（元）"), required=False)


INSURANCE_KINDS = [OrganizationKind.INSURER, OrganizationKind.MERCHANT, OrganizationKind.PLATFORM]
POLICY_FIELDS = {"price_multiple": "price_multiple", "minimum_fen": "minimum", "fixed_fen": "fixed"}


@require_safe
@console_view(kinds=INSURANCE_KINDS)
def insurance_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _insurance(request, actor, PolicyForm(), _money_in_form())


def _insurance(request: HttpRequest, actor: Actor, form: PolicyForm, money_form: MoneyInForm, *,
               status: int = 200) -> HttpResponse:
    insurer = actor.organization.kind == OrganizationKind.INSURER
    merchant = actor.organization.kind == OrganizationKind.MERCHANT
    return render_console(request, actor, "merchant/fund/insurance.html", {
        "policies": selectors.policy_list(actor=actor), "insurer": insurer, "merchant": merchant,
        "balance_fen": selectors.insurer_balance(actor=actor) if insurer else None,
        "subscribed": selectors.subscribed_policy_ids(actor=actor) if merchant else set(),
        "form": form, "money_form": money_form,
    }, status=status)


@require_POST
@console_view(kinds=[OrganizationKind.INSURER], role=Role.ADMIN)
def insurance_policy_publish(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PolicyForm(request.POST)
    if not form.is_valid():
        return _insurance(request, actor, form, _money_in_form(), status=422)
    data = form.cleaned_data
    try:
        insurance.policy_publish(
            actor=actor, kind=data["kind"], title=data["title"], covers_food=data["covers_food"],
            price_multiple=data["price_multiple"] or 0, minimum_fen=data["minimum"] or 0,
            pays_return_shipping=data["pays_return_shipping"], fixed_fen=data["fixed"] or 0,
        )
    except DomainError as exc:
        return _insurance(request, actor, form, _money_in_form(), status=form_error(form, exc, POLICY_FIELDS))
    messages.success(request, _("条款已发布"))
    return redirect("merchant:insurance_home")


@require_POST
@console_view(kinds=[OrganizationKind.INSURER], role=Role.ADMIN)
def insurance_fund(request: HttpRequest, actor: Actor) -> HttpResponse:
    money_form = _money_in_form(request.POST)
    if not money_form.is_valid():
        return _insurance(request, actor, PolicyForm(), money_form, status=422)
    try:
        insurance.insurer_fund(actor=actor, amount_fen=money_form.cleaned_data["amount"],
                               idempotency_key=money_form.cleaned_data["idempotency_key"])
    except DomainError as exc:
        status = form_error(money_form, exc, {"fund.amount_invalid": "amount"})
        return _insurance(request, actor, PolicyForm(), money_form, status=status)
    messages.success(request, _("已通过支付渠道入账"))
    return redirect("merchant:insurance_home")


@require_POST
@console_view(kinds=[OrganizationKind.MERCHANT], role=Role.ADMIN)
def insurance_subscribe(request: HttpRequest, actor: Actor, policy_id: int) -> HttpResponse:
    insurance.policy_subscribe(actor=actor, policy_id=policy_id)
    messages.success(request, _("已投保"))
    return redirect("merchant:insurance_home")
