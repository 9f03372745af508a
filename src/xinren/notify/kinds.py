"""What each kind of notification says, and where it may go: the one table every channel renders from.

A notification stores its kind and its parameters, never finished text, so the inbox shows it in the reader's
language and an SMS or WeChat message is rendered when it is sent. Parameters hold only what the recipient may
see (their order number, the merchant's name, a carrier and tracking number): never another person's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinren.core.money import fen_to_yuan

from .choices import Channel, NotificationKind


@dataclass(frozen=True)
class KindSpec:
    kind: NotificationKind
    # The message, with %(name)s placeholders filled from the notification's params (a missing one reads empty).
    body: Promise
    # The words of the link to the thing the notification is about.
    action: Promise
    # Default channels besides the inbox, while the consumer has not chosen.
    sms: bool = False
    wechat: bool = False
    # Whether the consumer may turn SMS on for this kind at all (not for invitations: those read as marketing).
    sms_allowed: bool = True
    # The WeChat subscribe-message template's keywords and the param each carries ("title" and "body" are the
    # rendered title and message). The keyword's type prefix sets its length limit (WECHAT_LIMITS).
    wechat_data: tuple[tuple[str, str], ...] = (("thing1", "title"), ("thing2", "body"))

    @property
    def title(self) -> str:
        return str(self.kind.label)


VIEW_ORDER = pgettext_lazy("notification", "查看订单")

KINDS: dict[str, KindSpec] = {
    spec.kind.value: spec
    for spec in (
        KindSpec(
            NotificationKind.ORDER_PAID,
            _("订单 %(order)s 已付款 ¥%(amount)s，%(merchant)s正在备货。"),
            VIEW_ORDER,
            wechat=True,
            wechat_data=(("character_string1", "order"), ("amount2", "amount"), ("thing3", "merchant")),
        ),
        KindSpec(
            NotificationKind.ORDER_SHIPPED,
            _("订单 %(order)s 已由%(carrier)s发出，运单号 %(tracking)s。"),
            _("查看物流"),
            sms=True,
            wechat=True,
            wechat_data=(("character_string1", "order"), ("thing2", "carrier"), ("character_string3", "tracking")),
        ),
        KindSpec(
            NotificationKind.ORDER_DELIVERED,
            _("订单 %(order)s 已签收。用得怎么样？欢迎写评价。"),
            VIEW_ORDER,
            sms=True,
            wechat=True,
            wechat_data=(("character_string1", "order"), ("thing2", "title")),
        ),
        KindSpec(
            NotificationKind.ORDER_CANCELLED,
            _("订单 %(order)s 已取消：%(reason)s"),
            VIEW_ORDER,
            wechat=True,
            wechat_data=(("character_string1", "order"), ("thing2", "reason")),
        ),
        KindSpec(
            NotificationKind.REFUND_DONE,
            _("订单 %(order)s 的退款 ¥%(amount)s 已退回原付款账户。"),
            VIEW_ORDER,
            wechat=True,
            wechat_data=(("character_string1", "order"), ("amount2", "amount")),
        ),
        KindSpec(
            NotificationKind.REVIEW_REPLIED,
            _("%(merchant)s回复了你对「%(product)s」的评价。"),
            _("查看回复"),
            wechat=True,
            wechat_data=(("thing1", "product"), ("thing2", "merchant")),
        ),
        KindSpec(
            NotificationKind.REVIEW_FOLDED,
            _("你的评价已被折叠，理由：%(reason)s。你可以提交一次申辩。"),
            _("查看并申辩"),
            wechat_data=(("thing1", "title"), ("thing2", "reason")),
        ),
        KindSpec(
            NotificationKind.DIARY_INVITED,
            _("收货第 %(days)s 天了，写一篇使用日记吧"),
            _("写使用日记"),
            sms_allowed=False,
        ),
        KindSpec(
            NotificationKind.SERVICE_REPLY,
            _("%(merchant)s回复了你的消息。"),
            _("查看消息"),
            wechat=True,
            wechat_data=(("thing1", "merchant"), ("thing2", "title")),
        ),
        KindSpec(
            NotificationKind.AFTERSALE_DECIDED,
            _("订单 %(order)s 的售后申请有了结果：%(decision)s。"),
            _("查看详情"),
            sms=True,
            wechat=True,
            wechat_data=(("character_string1", "order"), ("phrase2", "decision")),
        ),
        KindSpec(
            NotificationKind.RECALL,
            _(
                "你在订单 %(order)s 买的「%(product)s」（批号 %(lot)s）已被%(recaller)s召回：%(reason)s。"
                "请停止食用或使用，可申请退款或换货。"
            ),
            _("申请退款"),
            sms=True,
            wechat=True,
            wechat_data=(("thing1", "product"), ("character_string2", "order"), ("thing3", "reason")),
        ),
        KindSpec(
            NotificationKind.APPLICATION_DECIDED,
            _("你为%(company)s提交的入驻申请（%(application)s）审核结果：%(decision)s。"),
            _("查看申请"),
            sms=True,
            wechat=True,
            wechat_data=(("thing1", "company"), ("character_string2", "application"), ("phrase3", "decision")),
        ),
        KindSpec(
            NotificationKind.LICENCE_EXPIRING,
            _("%(merchant)s的%(licence)s将于 %(date)s 到期。到期后需要它的商品会暂停销售，请尽快提交换发的新证。"),
            _("提交新证"),
            sms=True,
            wechat=True,
            wechat_data=(("thing1", "merchant"), ("thing2", "licence"), ("date3", "date")),
        ),
        KindSpec(
            NotificationKind.CARE_OFFER,
            _("%(merchant)s看到了你对「%(product)s」的反馈，主动提出：%(offer)s。请查看并选择接受或拒绝。"),
            _("查看方案"),
            wechat=True,
            wechat_data=(("thing1", "merchant"), ("thing2", "offer")),
        ),
        KindSpec(
            NotificationKind.TRUST_DELISTED,
            _(
                "「%(product)s」的信任分 %(score)s（质量 %(quality)s、评价 %(reviews)s、售后 %(aftersales)s、"
                "商家信用 %(credit)s），有 95%% 的把握低于 %(bar)s（上限 %(upper)s），已自动下架。"
                "可查看每项的提升办法，并提出申诉。"
            ),
            _("查看信任分"),
            sms=True,
            wechat=True,
            wechat_data=(("thing1", "product"), ("thing2", "body")),
        ),
        KindSpec(
            NotificationKind.TRUST_APPEAL_DECIDED,
            _("你对「%(product)s」下架的申诉已处理：%(decision)s。"),
            _("查看信任分"),
            sms=True,
            wechat=True,
            wechat_data=(("thing1", "product"), ("phrase2", "decision")),
        ),
        KindSpec(
            NotificationKind.COPY_NONCOMPLIANT,
            _(
                "%(merchant)s有 %(count)s 个商品的文案不符合《广告法》（规则 %(version)s），"
                "改写前不能再发布。请按建议修改。"
            ),
            _("修改商品文案"),
            wechat=True,
            wechat_data=(("thing1", "merchant"), ("number2", "count"), ("thing3", "body")),
        ),
    )
}

# WeChat subscribe messages refuse values over these lengths (errcode 47003), by the keyword's type.
WECHAT_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "amount": 20, "number": 32, "name": 10}


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def kind_spec(kind: str) -> KindSpec:
    return KINDS[kind]


def params_shown(params: Mapping[str, Any]) -> _Params:
    """The params as the messages use them: money kept in fen is shown in yuan ("amount_fen": 1230 → "12.30")."""
    shown = _Params(params)
    if "amount_fen" in params:
        shown["amount"] = fen_to_yuan(int(params["amount_fen"]))
    return shown


def body_render(kind: str, params: Mapping[str, Any]) -> str:
    """The message in the active language, its placeholders filled (as plain text: templates escape it)."""
    return str(KINDS[kind].body) % params_shown(params)


def channel_allowed(kind: str, channel: str) -> bool:
    return channel != Channel.SMS or KINDS[kind].sms_allowed


def channel_default(kind: str, channel: str) -> bool:
    spec = KINDS[kind]
    return spec.sms if channel == Channel.SMS else spec.wechat


def wechat_data(kind: str, params: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The `data` object of a WeChat subscribe message: {"thing1": {"value": "…"}, …}, each value cut to the
    limit of its keyword's type."""
    rendered = {"title": KINDS[kind].title, "body": body_render(kind, params)}
    params = params_shown(params)
    data = {}
    for keyword, source in KINDS[kind].wechat_data:
        value = str(rendered[source] if source in rendered else params.get(source, ""))
        kind_of_keyword = keyword.rstrip("0123456789")
        limit = WECHAT_LIMITS.get(kind_of_keyword, 20)
        data[keyword] = {"value": value if len(value) <= limit else value[: limit - 1] + "…"}
    return data
