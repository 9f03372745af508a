"""/operator/blacklist/: the blacklist (masked hints only), adding, lifting, CSV import, the interception log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinren.accounts.actors import Actor
from xinren.accounts.choices import BlacklistKind, InterceptionStage
from xinren.core.errors import DomainError
from xinren.governance import blacklist as services
from xinren.web.merchant.console import console_view, form_error, render_console

from .dashboard import OPERATOR

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=BlacklistKind.choices)
    value = forms.CharField(label=gettext_lazy("号码"), max_length=200)
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=255)
    ends_at = forms.DateField(label=gettext_lazy("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))


class LiftForm(forms.Form):
    lift_reason = forms.CharField(label=gettext_lazy("解除原因"), max_length=255)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV 文件（UTF-8 或 GB18030）"))


@console_view(**OPERATOR)  # type: ignore[arg-type]
def blacklist_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    kind = request.GET.get("kind", "")
    form = EntryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.blacklist_add(actor=actor, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("已加入黑名单"))
                return redirect("operator:blacklist")
    entries = services.blacklist_entries(actor=actor, kind=kind)[:200]
    context = {
        "form": form,
        "entries": entries,
        "kinds": BlacklistKind.choices,
        "kind": kind,
        "import_form": ImportForm(),
        "lift_form": LiftForm(),
    }
    return render_console(request, actor, "operator/blacklist/list.html", context, status=status)


@console_view(**OPERATOR)  # type: ignore[arg-type]
def blacklist_lift(request: HttpRequest, actor: Actor, entry_id: int) -> HttpResponse:
    form = LiftForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.blacklist_lift(actor=actor, entry_id=entry_id, reason=form.cleaned_data["lift_reason"])
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("已解除"))
                return redirect("operator:blacklist")
    return render_console(
        request, actor, "operator/blacklist/lift.html", {"form": form, "entry_id": entry_id}, status=status
    )


@console_view(**OPERATOR)  # type: ignore[arg-type]
def blacklist_import(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_IMPORT_BYTES:
                form.add_error("file", _("文件不能超过 2 MiB"))
            else:
                try:
                    result = services.blacklist_import(actor=actor, data=upload.read())
                except DomainError as exc:
                    status = form_error(form, exc, fields={services.IMPORT_INVALID: "file"})
                else:
                    messages.success(request, _("已导入 %(count)d 条") % {"count": result.added})
                    return redirect("operator:blacklist")
    return render_console(request, actor, "operator/blacklist/import.html", {"form": form}, status=status)


@console_view(**OPERATOR)  # type: ignore[arg-type]
def interceptions(request: HttpRequest, actor: Actor) -> HttpResponse:
    rows = services.interceptions_by_day(actor=actor)
    days: dict[str, dict[str, int]] = {}
    for row in rows:
        days.setdefault(row["day"].isoformat(), {stage: 0 for stage in InterceptionStage.values})[row["stage"]] = row[
            "count"
        ]
    context = {
        "stages": InterceptionStage.choices,
        "totals": services.interceptions_by_stage(actor=actor),
        "days": [(day, [counts[stage] for stage in InterceptionStage.values]) for day, counts in days.items()],
    }
    return render_console(request, actor, "operator/blacklist/interceptions.html", context)
