"""Reviews of the merchant's products: read them, reply once in public (the reply time is recorded).

There is no way here to change a review's stars or text, hide it or fold it: folding is the platform
operators' (admin, with a public reason), and the services refuse it to merchants anyway.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.core.errors import DomainError
from xinren.reviews import selectors, services

from ..console import console_view, form_error, render_console

PAGE_SIZE = 30


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("公开回复"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("回复公开显示在评价下，每条评价只能回复一次，回复时间会被记录"),
    )


def _page(request: HttpRequest, actor: Actor, *, form_for: int | None = None, form: ReplyForm | None = None,
          status: int = 200) -> HttpResponse:
    reviews = selectors.merchant_review_list(actor=actor).select_related("product")
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "reply_form": ReplyForm(), "form_for": form_for, "failed_form": form}
    return render_console(request, actor, "merchant/review_list.html", context, status=status)


@require_safe
@console_view(kinds=CATALOG_KINDS)
def review_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def review_reply(request: HttpRequest, actor: Actor, review_id: int) -> HttpResponse:
    form = ReplyForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.reply_post(actor=actor, review_id=review_id, text=form.cleaned_data["text"])
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("回复已公开发布"))
            return redirect(reverse("merchant:review_list") + f"#review-{review_id}")
    return _page(request, actor, form_for=review_id, form=form, status=status)
