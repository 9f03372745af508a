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
    """Step 1: the phone number a code is texted to."""

    phone = forms.CharField(label=_("手机号"), max_length=20, widget=_phone_input())


class SignupConfirmForm(forms.Form):
    """Step 2: the texted code and the new password."""

    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
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


def _code_input() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": "000000"})


class PhoneCodeForm(forms.Form):
    """Sign-in by code, step 2: the six digits texted to the phone."""

    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6, widget=_code_input())


class PasswordResetConfirmForm(forms.Form):
    """Password reset, step 2: the texted code and the new password (twice)."""

    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6, widget=_code_input())
    password = forms.CharField(
        label=_("新密码"),
        max_length=128,
        help_text=_("至少 8 位，不要使用常见密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("再次输入新密码"), max_length=128, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
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
    recipient_name = forms.CharField(
        label=_("收货人"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    recipient_phone = forms.CharField(label=_("收货人手机号"), max_length=20, widget=_phone_input())
    shipping_address = forms.CharField(
        label=_("收货地址"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
        help_text=_("省、市、区和详细地址"),
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    # Shown only when the order holds perishable goods (the view drops it otherwise): the consumer's confirmation
    # that they are excluded from seven-day no-reason returns; unticked, they keep that right.
    return_exclusion = forms.BooleanField(
        label=_("我已知晓：生鲜等易腐商品不适用七天无理由退货（质量问题仍可申请售后保障）"), required=False
    )
    # A one-time token of this form: submitting it twice yields one order.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200, required=False)


# -- reviews -----------------------------------------------------------------------------------------------------------

PHOTOS_MAX = 9
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


class _MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class _PhotosField(forms.FileField):
    """Up to nine photos from one <input multiple>."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > PHOTOS_MAX:
            raise forms.ValidationError(_("最多上传 9 张照片"))
        return [super(_PhotosField, self).clean(one, initial) for one in files]


STAR_CHOICES = [(n, _("%(n)s 星") % {"n": n}) for n in range(5, 0, -1)]
SCORE_CHOICES = [(n, _("%(n)s 分") % {"n": n}) for n in range(5, 0, -1)]


def _seller_rating(label: Any) -> forms.TypedChoiceField:
    """One detailed seller rating (店铺动态评分), 1–5, asked with every new review."""
    return forms.TypedChoiceField(
        label=label, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": _("请打 1–5 分"), "invalid_choice": _("请打 1–5 分")},
    )


class ReviewForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("打分"),
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("星级发布后不能修改"),
    )
    rating_description = _seller_rating(_("描述相符"))
    rating_service = _seller_rating(_("服务态度"))
    rating_logistics = _seller_rating(_("物流服务"))
    text = forms.CharField(
        label=_("评价内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("说说收到的东西怎么样：新鲜程度、包装、口感、和描述是否一致"),
    )
    tags = forms.CharField(
        label=_("标签"),
        max_length=100,
        required=False,
        help_text=_("可选，用空格或逗号分隔，最多 6 个，例如：新鲜 包装好"),
    )
    photos = _PhotosField(
        label=_("照片"),
        required=False,
        widget=_MultipleFiles(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}),
        help_text=_("可选，最多 9 张"),
    )
    video = forms.FileField(
        label=_("视频"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4"}),
        help_text=_("可选，1 段，MP4"),
    )

    def seller_ratings(self) -> dict[str, int]:
        """The three detailed seller ratings as the review service takes them."""
        return {name: self.cleaned_data[f"rating_{name}"] for name in ("description", "service", "logistics")}

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags", "")
        return [tag for tag in raw.replace("，", " ").replace(",", " ").replace("、", " ").split() if tag]


class DiaryForm(forms.Form):
    text = forms.CharField(
        label=_("使用日记"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("用了一段时间，东西怎么样了？"),
    )


class ResponseForm(forms.Form):
    text = forms.CharField(
        label=_("我的申辩"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("申辩会公开显示在被折叠的评价下，每条评价只能申辩一次"),
    )


# -- cart, addresses, checkout, order search ---------------------------------------------------------------------------


class CartAddForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("数量"), min_value=1, max_value=99, initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    # "buy" goes straight to checkout with this product (立即购买); otherwise back to the product (加入购物车).
    buy = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=0, max_value=99)


class AddressForm(forms.Form):
    recipient_name = forms.CharField(
        label=_("收货人"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    recipient_phone = forms.CharField(label=_("手机号"), max_length=20, widget=_phone_input())
    region = forms.CharField(
        label=_("所在地区"),
        max_length=64,
        help_text=_("省、市、区，例如：上海市 浦东新区"),
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    detail = forms.CharField(
        label=_("详细地址"),
        max_length=120,
        help_text=_("街道、门牌号、楼层房间"),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    is_default = forms.BooleanField(label=_("设为默认地址"), required=False)


class CheckoutForm(forms.Form):
    # The page draws the consumer's addresses as radio buttons; whether the chosen one still exists is the
    # service's to say (a deleted address gets its own message).
    address = forms.IntegerField(label=_("收货地址"), error_messages={"required": _("请选择收货地址")})
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    # Shown only when the order holds perishable goods (the view drops it otherwise): the consumer's confirmation
    # that they are excluded from seven-day no-reason returns; unticked, they keep that right.
    return_exclusion = forms.BooleanField(
        label=_("我已知晓：生鲜等易腐商品不适用七天无理由退货（质量问题仍可申请售后保障）"), required=False
    )
    # A one-time token of this form: submitting it twice yields one set of orders.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    lines = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_lines(self) -> list[int] | None:
        raw = self.cleaned_data.get("lines", "")
        ids = [int(part) for part in raw.split(",") if part.strip().isdigit()]
        return ids or None


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("商品名称或订单号")}),
    )
    status = forms.ChoiceField(label=_("状态"), required=False)
    date_from = forms.DateField(label=_("从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("到"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, statuses: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("全部状态")), *statuses]
