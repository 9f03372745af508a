"""保障计划 (信任购, 菌无忧, …) in the console. Operators (platform admins) publish and edit programmes and see their
members, standing and ended; a merchant sees each programme's checklist against its own facts and joins or leaves.
Not the alliances' regional label programmes (views/trust.py): those are the trust context's."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.aftersales.models.programmes import GuaranteeProgramme
from xinren.aftersales.programmes import selectors, services
from xinren.aftersales.programmes.rules import CONDITION_LABELS, GUARANTEES, PROMISE_LABELS, condition_words
from xinren.catalog.choices import ProductCategory
from xinren.core.errors import DomainError

from ..console import console_view, form_error, render_console

KINDS = [OrganizationKind.PLATFORM, *CATALOG_KINDS]
PLATFORM = [OrganizationKind.PLATFORM]


class JSONField(forms.CharField):
    """A JSON value typed in a textarea (the vocabulary is listed beside it); the service checks its meaning."""

    def __init__(self, *, kind: type, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    def clean(self, value: Any) -> Any:
        text = super().clean(value) or ("[]" if self.kind is list else "{}")
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("不是有效的 JSON")) from exc
        if not isinstance(parsed, self.kind):
            raise forms.ValidationError(_("格式不对：应为列表或对象"))
        return parsed


class ProgrammeForm(forms.Form):
    slug = forms.SlugField(label=gettext_lazy("标识（网址用，如 jun-wuyou）"), max_length=40)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=40)
    summary = forms.CharField(label=gettext_lazy("简介"), max_length=200)
    badge_label = forms.CharField(label=gettext_lazy("徽章文字"), max_length=16)
    badge_colour = forms.CharField(label=gettext_lazy("徽章颜色"), max_length=7, initial="#c0392b")
    categories = forms.MultipleChoiceField(label=gettext_lazy("适用品类（不选：全部品类）"), required=False,
                                           choices=ProductCategory.choices, widget=forms.CheckboxSelectMultiple)
    eligibility = JSONField(kind=dict, label=gettext_lazy("加入条件（JSON 对象）"), required=False)
    promises = JSONField(kind=list, label=gettext_lazy("保障承诺（JSON 列表）"), required=False)

    def terms(self) -> services.ProgrammeTerms:
        data = self.cleaned_data
        return services.ProgrammeTerms(
            name=data["name"], summary=data["summary"], badge_label=data["badge_label"],
            badge_colour=data["badge_colour"], categories=list(data["categories"]), eligibility=data["eligibility"],
            promises=data["promises"])


class JoinForm(forms.Form):
    guarantees = forms.MultipleChoiceField(label=gettext_lazy("我承诺提供的保障"), required=False,
                                           choices=list(GUARANTEES.items()), widget=forms.CheckboxSelectMultiple)


def _vocabulary() -> dict[str, Any]:
    return {"condition_keys": [*CONDITION_LABELS.items(), ("requests_min", _("评判售后记录所需的最少已处理单数"))],
            "promise_keys": list(PROMISE_LABELS.items()), "guarantee_keys": list(GUARANTEES.items())}


@require_safe
@console_view(kinds=KINDS)
def programme_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    programmes = list(selectors.programme_console_list(actor=actor))
    member_of = set(actor.organization.programme_memberships.filter(left_at__isnull=True).values_list(
        "programme_id", flat=True))
    return render_console(request, actor, "merchant/guarantees/list.html", {
        "programmes": programmes, "member_of": member_of,
        "operator": actor.organization.kind == OrganizationKind.PLATFORM,
    })


def _form_page(request: HttpRequest, actor: Actor, form: ProgrammeForm, programme: GuaranteeProgramme | None,
               *, status: int = 200) -> HttpResponse:
    return render_console(request, actor, "merchant/guarantees/form.html",
                          {"form": form, "programme": programme, **_vocabulary()}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@console_view(kinds=PLATFORM, role=Role.ADMIN)
def programme_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ProgrammeForm(request.POST or None)
    if request.method != "POST":
        return _form_page(request, actor, form, None)
    if form.is_valid():
        try:
            programme = services.programme_publish(actor=actor, slug=form.cleaned_data["slug"], terms=form.terms())
        except DomainError as exc:
            return _form_page(request, actor, form, None, status=form_error(form, exc))
        messages.success(request, _("保障计划已发布"))
        return redirect("merchant:guarantee_programme_detail", programme_id=programme.pk)
    return _form_page(request, actor, form, None, status=422)


@require_http_methods(["GET", "HEAD", "POST"])
@console_view(kinds=PLATFORM, role=Role.ADMIN)
def programme_edit(request: HttpRequest, actor: Actor, programme_id: int) -> HttpResponse:
    programme = selectors.programme_console_get(actor=actor, programme_id=programme_id)
    initial = {name: getattr(programme, name) for name in (
        "slug", "name", "summary", "badge_label", "badge_colour", "categories", "eligibility", "promises")}
    form = ProgrammeForm(request.POST or None, initial=initial)
    form.fields["slug"].disabled = True
    if request.method != "POST":
        return _form_page(request, actor, form, programme)
    if form.is_valid():
        try:
            services.programme_edit(actor=actor, programme_id=programme.pk, terms=form.terms())
        except DomainError as exc:
            return _form_page(request, actor, form, programme, status=form_error(form, exc))
        messages.success(request, _("保障计划已更新"))
        return redirect("merchant:guarantee_programme_detail", programme_id=programme.pk)
    return _form_page(request, actor, form, programme, status=422)


def _detail(request: HttpRequest, actor: Actor, programme: GuaranteeProgramme, form: JoinForm, *,
            status: int = 200) -> HttpResponse:
    operator = actor.organization.kind == OrganizationKind.PLATFORM
    context: dict[str, Any] = {
        "programme": programme, "operator": operator, "form": form,
        "memberships": selectors.membership_history(actor=actor, programme=programme),
    }
    if not operator:
        accepted = request.POST.getlist("guarantees") if form.is_bound else []
        checklist = services.programme_checklist(programme=programme, merchant=actor.organization,
                                                 guarantees=accepted or programme.eligibility.get("guarantees", []))
        context["checklist"] = [{**c, "words": condition_words(c)} for c in checklist]
        context["standing"] = programme.memberships.filter(merchant=actor.organization, left_at__isnull=True).first()
    return render_console(request, actor, "merchant/guarantees/detail.html", context, status=status)


@require_safe
@console_view(kinds=KINDS)
def programme_detail(request: HttpRequest, actor: Actor, programme_id: int) -> HttpResponse:
    programme = selectors.programme_console_get(actor=actor, programme_id=programme_id)
    return _detail(request, actor, programme, JoinForm(initial={
        "guarantees": programme.eligibility.get("guarantees", [])}))


@require_POST
@console_view(kinds=CATALOG_KINDS, role=Role.STAFF)
def programme_join(request: HttpRequest, actor: Actor, programme_id: int) -> HttpResponse:
    programme = selectors.programme_console_get(actor=actor, programme_id=programme_id)
    form = JoinForm(request.POST)
    if form.is_valid():
        try:
            services.programme_join(actor=actor, programme_id=programme.pk,
                                    guarantees=form.cleaned_data["guarantees"])
        except DomainError as exc:
            return _detail(request, actor, programme, form, status=form_error(form, exc))
        messages.success(request, _("已加入保障计划，徽章将显示在商品页和扫码页"))
        return redirect("merchant:guarantee_programme_detail", programme_id=programme.pk)
    return _detail(request, actor, programme, form, status=422)


@require_POST
@console_view(kinds=CATALOG_KINDS, role=Role.STAFF)
def programme_leave(request: HttpRequest, actor: Actor, programme_id: int) -> HttpResponse:
    programme = selectors.programme_console_get(actor=actor, programme_id=programme_id)
    try:
        services.programme_leave(actor=actor, programme_id=programme.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已退出保障计划"))
    return redirect("merchant:guarantee_programme_detail", programme_id=programme.pk)
