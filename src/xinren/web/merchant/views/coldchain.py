"""A product's cold chain in the console: the allowed temperature range and the delivery promise."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog import selectors as catalog_selectors
from xinren.catalog.models import Product
from xinren.coldchain import selectors, services
from xinren.coldchain.models import ColdChainProfile, Promise
from xinren.core.errors import DomainError

from ..console import console_view, form_error, render_console


class ProfileForm(forms.Form):
    temperature_min = forms.DecimalField(label=gettext_lazy("最低温度 °C"), max_digits=4, decimal_places=1)
    temperature_max = forms.DecimalField(label=gettext_lazy("最高温度 °C"), max_digits=4, decimal_places=1)
    humidity_min = forms.DecimalField(
        label=gettext_lazy("最低相对湿度 %"), max_digits=4, decimal_places=1, required=False
    )
    humidity_max = forms.DecimalField(
        label=gettext_lazy("最高相对湿度 %"), max_digits=4, decimal_places=1, required=False
    )
    tolerance_minutes = forms.IntegerField(
        label=gettext_lazy("容许超限分钟数"), min_value=0, max_value=1440, initial=0,
        help_text=gettext_lazy("读数连续超出范围超过这么多分钟才算超限；0 表示任何超出都算"),
    )  # fmt: skip


class PromiseForm(forms.Form):
    hours = forms.IntegerField(label=gettext_lazy("从产地到餐桌（小时）"), min_value=1, max_value=2400)
    text = forms.CharField(
        label=gettext_lazy("页面上显示的承诺"), max_length=64, required=False,
        help_text=gettext_lazy("例如：48小时从产地到餐桌"),
    )  # fmt: skip
    active = forms.BooleanField(label=gettext_lazy("生效"), required=False, initial=True)


def _page(
    request: HttpRequest, actor: Actor, product: Product, *, profile_form: ProfileForm | None = None,
    promise_form: PromiseForm | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    profile = ColdChainProfile.objects.filter(product=product).first()
    promise = Promise.objects.filter(product=product).first()
    promised = {"hours": promise.hours, "text": promise.text, "active": promise.active} if promise else None
    initial = selectors.profile_dict(profile)
    context = {
        "product": product,
        "profile": profile,
        "promise": promise,
        "profile_form": profile_form or ProfileForm(initial=dict(initial) if initial else None),
        "promise_form": promise_form or PromiseForm(initial=promised),
        "batches": [
            {"batch": batch, "status": selectors.coldchain_status_for_batch(batch=batch),
             "promises": selectors.promise_results_for_batch(batch=batch)}
            for batch in product.batches.order_by("-production_date")[:10]
        ],
    }  # fmt: skip
    return render_console(request, actor, "merchant/coldchain_product.html", context, status=status)


@console_view(kinds=CATALOG_KINDS)
def product_coldchain(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = catalog_selectors.product_get(actor=actor, product_id=product_id)
    if request.method != "POST":
        return _page(request, actor, product)
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    if "hours" in request.POST:
        promise_form = PromiseForm(request.POST)
        if promise_form.is_valid():
            try:
                services.promise_set(actor=actor, product_id=product.pk, **promise_form.cleaned_data)
            except DomainError as exc:
                return _page(request, actor, product, promise_form=promise_form,
                             status=form_error(promise_form, exc))  # fmt: skip
            messages.success(request, _("时效承诺已签名保存，消费者页面会按实际事件显示兑现情况"))
            return redirect(request.path)
        return _page(request, actor, product, promise_form=promise_form, status=422)
    profile_form = ProfileForm(request.POST)
    if profile_form.is_valid():
        try:
            services.profile_set(actor=actor, product_id=product.pk, **profile_form.cleaned_data)
        except DomainError as exc:
            return _page(request, actor, product, profile_form=profile_form, status=form_error(profile_form, exc))
        messages.success(request, _("温控要求已签名保存，已重新核对各批次的冷链读数"))
        return redirect(request.path)
    return _page(request, actor, product, profile_form=profile_form, status=422)
