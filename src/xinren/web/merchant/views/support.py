"""联系商家, the merchant's side: the inbox (questions waiting longest on top) with the first-response figures of
the last 30 days, a thread, and the reply form. Viewers read; staff and above answer and close. Nothing here (nor
anywhere) edits or deletes a message."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.core.errors import DomainError
from xinren.support import selectors, services
from xinren.support.choices import ConversationStatus
from xinren.support.models import BODY_MAX

from ..console import console_view, form_error, render_console

PAGE_SIZE = 30


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("回复"), max_length=BODY_MAX, strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_MAX}),
        help_text=gettext_lazy("只有这位买家能看到。消息发出后不能修改或删除，回复时间计入响应时长。"),
    )


@require_safe
@console_view(kinds=CATALOG_KINDS)
def support_inbox(request: HttpRequest, actor: Actor) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ConversationStatus.values else ""
    conversations = selectors.merchant_conversation_list(actor=actor, status=status)
    page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_console(request, actor, "merchant/support_inbox.html", {
        "page": page, "status": status, "statuses": ConversationStatus.choices,
        "stats": selectors.merchant_response_stats_recent(merchant=actor.organization),
        "waiting": selectors.merchant_waiting_count(actor=actor),
    })


@require_http_methods(["GET", "POST"])
@console_view(kinds=CATALOG_KINDS)
def support_thread(request: HttpRequest, actor: Actor, conversation_id: int) -> HttpResponse:
    conversation = selectors.merchant_conversation_get(actor=actor, conversation_id=conversation_id)
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.message_reply(actor=actor, conversation_id=conversation.pk, body=form.cleaned_data["body"])
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("回复已发送"))
                return redirect(reverse("merchant:support_thread", args=[conversation.pk]) + "#latest")
    else:
        services.conversation_read_by_merchant(actor=actor, conversation=conversation)
    return render_console(request, actor, "merchant/support_thread.html", {
        "conversation": conversation, "messages_": selectors.conversation_messages(conversation=conversation),
        "alias": selectors.consumer_alias(conversation.consumer_id), "form": form,
    }, status=status)


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def support_close(request: HttpRequest, actor: Actor, conversation_id: int) -> HttpResponse:
    try:
        services.conversation_close_by_merchant(actor=actor, conversation_id=conversation_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("会话已结束；买家再发消息会重新开启"))
    return redirect("merchant:support_thread", conversation_id=conversation_id)
