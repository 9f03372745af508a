"""联系商家: the consumer's conversations with merchants, a thread, and writing in it. Messages are plain text,
shown escaped with line breaks kept and nothing linkified."""

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

from xinren.accounts.models import User
from xinren.core.errors import DomainError, NotFound
from xinren.support import selectors, services
from xinren.support.models import BODY_MAX

from ..session import form_error, render_shop, shop_view

PAGE_SIZE = 20


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("消息"),
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_MAX}),
        help_text=gettext_lazy("只有你和商家能看到。消息发出后不能修改或删除。"),
    )


def _thread_url(conversation_id: int) -> str:
    return reverse("shop:support_thread", kwargs={"conversation_id": conversation_id}) + "#latest"


@require_safe
@shop_view
def support_list(request: HttpRequest, consumer: User) -> HttpResponse:
    """我的咨询: the consumer's conversations, newest first."""
    conversations = selectors.consumer_conversation_list(consumer=consumer)
    page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_shop(request, "shop/support_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@shop_view
def support_start(request: HttpRequest, consumer: User) -> HttpResponse:
    """联系商家 from an order (?order=number) or a product (?product=id): the thread if there is one, else the form."""
    order_number = request.GET.get("order") or None
    product = request.GET.get("product") or ""
    product_id = int(product) if product.isdigit() else None
    existing = selectors.consumer_conversation_about(
        consumer=consumer, order_number=order_number, product_id=product_id
    )
    if existing is not None and request.method == "GET":
        return redirect(_thread_url(existing.pk))
    form = MessageForm(request.POST or None)
    try:
        subject = services.conversation_subject(consumer=consumer, order_number=order_number, product_id=product_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return render_shop(request, "shop/support_start.html", {"refusal": exc}, status=exc.status)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                message = services.conversation_start(
                    consumer=consumer, body=form.cleaned_data["body"], order_number=order_number, product_id=product_id
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("消息已发送，商家回复后会显示在这里"))
                return redirect(_thread_url(message.conversation_id))
    return render_shop(request, "shop/support_start.html", {"form": form, "subject": subject}, status=status)


@require_http_methods(["GET", "POST"])
@shop_view
def support_thread(request: HttpRequest, consumer: User, conversation_id: int) -> HttpResponse:
    """One conversation: the messages, oldest first, and the form to write again."""
    conversation = selectors.consumer_conversation_get(consumer=consumer, conversation_id=conversation_id)
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.message_post(
                    consumer=consumer, conversation_id=conversation.pk, body=form.cleaned_data["body"]
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                return redirect(_thread_url(conversation.pk))
    else:
        services.conversation_read_by_consumer(consumer=consumer, conversation=conversation)
    return render_shop(
        request,
        "shop/support_thread.html",
        {
            "conversation": conversation,
            "messages_": selectors.conversation_messages(conversation=conversation),
            "form": form,
        },
        status=status,
    )


@require_POST
@shop_view
def support_close(request: HttpRequest, consumer: User, conversation_id: int) -> HttpResponse:
    try:
        services.conversation_close_by_consumer(consumer=consumer, conversation_id=conversation_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("会话已结束，再发消息会重新开启"))
    return redirect("shop:support_thread", conversation_id=conversation_id)
