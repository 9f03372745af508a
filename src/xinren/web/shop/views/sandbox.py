"""The sandbox provider's hosted checkout page: where a real provider would show its own payment page.

It is the provider's page, not the shop's: it knows nothing of the consumer's session, only the payment it was
opened for, and sends the browser back to the return address the platform gave when opening the checkout.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xinren.core.money import fen_to_yuan
from xinren.orders.payments.provider import ProviderError, ProviderStatus
from xinren.orders.payments.sandbox import TOKEN_LABELS, SandboxPaymentProvider, Token


def _safe_return(url: str) -> str:
    # Only a path on this site: the page must not become an open redirect.
    return url if url.startswith("/") and not url.startswith("//") else "/shop/"


def checkout(request: HttpRequest, ref: str) -> HttpResponse:
    sandbox = SandboxPaymentProvider()
    charge = sandbox.checkout_get(provider_ref=ref)
    if charge is None:
        raise Http404(_("找不到该支付"))
    error = ""
    status = 200
    if request.method == "POST":
        if "cancel" in request.POST:
            return redirect(_safe_return(charge.return_url))
        token = request.POST.get("token", "")
        try:
            sandbox.checkout_complete(provider_ref=ref, payment_token=token)
        except ProviderError as exc:
            error = _("沙箱支付拒绝了请求：%(code)s") % {"code": exc.code}
            status = 422
        else:
            return redirect(_safe_return(charge.return_url))
    context = {
        "charge": charge,
        "amount": fen_to_yuan(charge.amount_fen),
        "tokens": list(TOKEN_LABELS.items()),
        "default_token": Token.SUCCESS,
        "open": charge.status == ProviderStatus.REQUIRES_AUTHORISATION,
        "return_url": _safe_return(charge.return_url),
        "error": error,
    }
    return render(request, "shop/sandbox_checkout.html", context, status=status)
