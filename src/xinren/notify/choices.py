"""What a notification is about, the channels it may go out on, and how far an external send got."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ORDER_PAID = "order_paid", _("付款成功")
    ORDER_SHIPPED = "order_shipped", _("订单已发货")
    ORDER_DELIVERED = "order_delivered", _("订单已签收")
    ORDER_CANCELLED = "order_cancelled", _("订单已取消")
    REFUND_DONE = "refund_done", _("退款成功")
    REVIEW_REPLIED = "review_replied", _("商家回复了你的评价")
    REVIEW_FOLDED = "review_folded", _("评价被折叠")
    DIARY_INVITED = "diary_invited", _("邀请写使用日记")
    SERVICE_REPLY = "service_reply", _("商家回复了你的消息")
    AFTERSALE_DECIDED = "aftersale_decided", _("售后处理结果")
    RECALL = "recall", _("商品召回")
    APPLICATION_DECIDED = "application_decided", _("入驻申请审核结果")
    LICENCE_EXPIRING = "licence_expiring", _("资质即将到期")
    CARE_OFFER = "care_offer", _("商家主动提出的售后方案")
    TRUST_DELISTED = "trust_delisted", _("商品因信任分被下架")
    TRUST_APPEAL_DECIDED = "trust_appeal_decided", _("下架申诉处理结果")
    COPY_NONCOMPLIANT = "copy_noncompliant", _("商品文案不合规")


class Channel(models.TextChoices):
    """External channels; the inbox (站内) is not one of them: every notification is in the inbox."""

    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信订阅消息")


class DeliveryStatus(models.TextChoices):
    """Only a pending delivery is sent; it ends sent, failed or skipped (services.delivery_send)."""

    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")

