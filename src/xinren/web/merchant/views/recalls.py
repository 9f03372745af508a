"""召回 in the console: issue a recall (a lot or listed serials, with a reason) after a confirm screen that shows
what it covers, and the list of recalls with how far they reached. Merchants, suppliers, labs and regulators
issue; operators (platform) see every recall."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.aftersales.models.recalls import REASON_MAX, Recall
from xinren.aftersales.recalls import selectors, services
from xinren.aftersales.recalls.choices import RecallScope
from xinren.aftersales.recalls.statements import RECALLERS
from xinren.core.errors import DomainError, NotFound

from ..console import console_view, form_error, render_console

PAGE_SIZE = 30
VIEWERS = RECALLERS | {OrganizationKind.PLATFORM}


class RecallForm(forms.Form):
    gtin = forms.CharField(label=gettext_lazy("商品 GTIN"), max_length=14)
    lot = forms.CharField(label=gettext_lazy("批号"), max_length=20)
    scope = forms.ChoiceField(label=gettext_lazy("召回范围"), choices=RecallScope.choices, initial=RecallScope.LOT,
                              widget=forms.RadioSelect)
    serials = forms.CharField(
        label=gettext_lazy("序列号"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("指定单品召回时填写，每行一个，或用逗号分隔。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("召回原因"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("会公开显示在该批次每一件商品的扫码页顶部，并由本机构签名写入透明日志，不能撤回。"),
    )


def _draft(actor: Actor, form: RecallForm, *, issue: bool) -> services.Draft | Recall:
    """Check and count the recall the form describes (the confirm screen), or issue it."""
    data = form.cleaned_data
    call = services.recall_issue if issue else services.recall_prepare
    return call(actor=actor, gtin=data["gtin"], lot=data["lot"], scope=data["scope"], reason=data["reason"],
                serials=services.serials_parse(data["serials"]))


@require_safe
@console_view(kinds=VIEWERS)
def recall_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = Paginator(selectors.recalls_visible(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    reach = selectors.recall_reach(list(page.object_list))
    rows = [(recall, reach[recall.pk]) for recall in page.object_list]
    return render_console(request, actor, "merchant/recalls/list.html", {
        "page": page, "rows": rows, "may_issue": actor.organization.kind in RECALLERS,
    })


@require_http_methods(["GET", "POST"])
@console_view(role=Role.STAFF, kinds=RECALLERS)
def recall_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    """First POST: checked and counted, shown for confirmation; the POST with `confirm` issues it."""
    form = RecallForm(request.POST or None, initial={"gtin": request.GET.get("gtin", ""),
                                                     "lot": request.GET.get("lot", "")})
    status, draft = 200, None
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                result = _draft(actor, form, issue=request.POST.get("confirm") == "1")
                if isinstance(result, Recall):
                    messages.success(request, _("召回已发起并签名；买家通知正在发送"))
                    return redirect("merchant:recall_detail", recall_id=result.pk)
                draft, status = result, 200
            except NotFound as exc:  # a lot not found and another's lot read the same, on the form
                form.add_error("lot", str(exc.message))
                status = exc.status
            except DomainError as exc:
                status = form_error(form, exc)
    return render_console(request, actor, "merchant/recalls/form.html", {"form": form, "draft": draft},
                          status=status)


@require_safe
@console_view(kinds=VIEWERS)
def recall_detail(request: HttpRequest, actor: Actor, recall_id: int) -> HttpResponse:
    recall = selectors.recall_get(actor=actor, recall_id=recall_id)
    return render_console(request, actor, "merchant/recalls/detail.html", {
        "recall": recall, "reach": selectors.recall_reach([recall])[recall.pk],
        "serials": sorted(recall.items.values_list("item__serial", flat=True)),
        "page_url": recall.batch.digital_link.path,
    })
