"""The consumer's inbox (站内通知): a page of notices with links to what they are about, opening one marks it read,
"all read", and the settings page with SMS and WeChat per kind."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.models import User
from xinren.core.errors import DomainError
from xinren.notify import selectors, services
from xinren.notify.choices import Channel

from ..session import render_shop, shop_view

PAGE_SIZE = 20


@require_safe
@shop_view
def notification_list(request: HttpRequest, consumer: User) -> HttpResponse:
    page = Paginator(selectors.inbox(user=consumer), PAGE_SIZE).get_page(request.GET.get("page"))
    notices = [selectors.notification_show(item) for item in page.object_list]
    return render_shop(request, "shop/notifications.html", {"page": page, "notices": notices})


@require_safe
@shop_view
def notification_open(request: HttpRequest, consumer: User, notification_id: int) -> HttpResponse:
    """Opening a notice marks it read and goes to the page it is about."""
    notification = services.notification_open(consumer=consumer, notification_id=notification_id)
    link = notification.link
    if not link or not url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect("shop:notification_list")
    return redirect(link)


@require_POST
@shop_view
def notifications_read(request: HttpRequest, consumer: User) -> HttpResponse:
    marked = services.notifications_mark_read(consumer=consumer)
    if marked:
        messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": marked})
    return redirect("shop:notification_list")


@shop_view
def notification_settings(request: HttpRequest, consumer: User) -> HttpResponse:
    """站内 is always on; SMS and WeChat per kind. A checkbox named "<kind>:sms" or "<kind>:wechat" is on."""
    status = 200
    if request.method == "POST":
        rows = selectors.preferences_for(user=consumer)
        choices = {
            row.kind: {channel.value: f"{row.kind}:{channel.value}" in request.POST for channel in Channel}
            for row in rows
        }
        try:
            services.preferences_save(consumer=consumer, choices=choices)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("通知设置已保存。"))
            return redirect("shop:notification_settings")
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render_shop(
        request,
        "shop/notification_settings.html",
        {"rows": selectors.preferences_for(user=consumer), "has_phone": bool(consumer.phone)},
        status=status,
    )
