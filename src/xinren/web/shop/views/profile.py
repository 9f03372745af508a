"""我的昵称: the nickname a consumer's reviews are shown by (masked: 王**). accounts.nicknames."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.models import User
from xinren.accounts.nicknames import NICKNAME_MAX, consumer_nickname_set, reviewer_name
from xinren.core.errors import DomainError

from ..session import form_error, render_shop, shop_view


class NicknameForm(forms.Form):
    nickname = forms.CharField(
        label=gettext_lazy("昵称"),
        max_length=NICKNAME_MAX * 2,
        required=False,
        help_text=gettext_lazy(
            "2–12 个字；不能包含手机号、网址或联系方式。评价里只显示第一个字，如“王**”。留空则显示默认名。"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


@shop_view
def nickname(request: HttpRequest, consumer: User) -> HttpResponse:
    form = NicknameForm(request.POST or None, initial={"nickname": consumer.nickname})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                consumer_nickname_set(actor=consumer, nickname=form.cleaned_data["nickname"])
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("昵称已保存，评价中显示为 %(name)s")
                    % {"name": reviewer_name(nickname=consumer.nickname, public_id=consumer_public_id(consumer))},
                )
                return redirect("shop:nickname")
    elif request.method != "GET":
        return HttpResponse(status=405)
    shown = reviewer_name(nickname=consumer.nickname, public_id=consumer_public_id(consumer))
    return render_shop(request, "shop/nickname.html", {"form": form, "shown": shown}, status=status)
