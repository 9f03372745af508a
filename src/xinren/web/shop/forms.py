"""Shop forms. They only parse and shape input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


def _phone_input() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0000 0000"})


class SigninForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=_phone_input())
    password = forms.CharField(
        label=_("密码"), max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SignupForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=_phone_input())
    password = forms.CharField(
        label=_("密码"),
        max_length=128,
        help_text=_("至少 8 位，不要使用常见密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("再次输入密码"), max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致"))
        return cleaned


class BuyForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("数量"), min_value=1, max_value=99, initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    recipient_name = forms.CharField(label=_("收货人"), max_length=32, widget=forms.TextInput(
        attrs={"autocomplete": "name"}
    ))
    recipient_phone = forms.CharField(label=_("收货人手机号"), max_length=20, widget=_phone_input())
    shipping_address = forms.CharField(
        label=_("收货地址"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        help_text=_("省、市、区和详细地址"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    # A one-time token of this form: submitting it twice yields one order.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200, required=False)
