"""Kinds and statuses of after-sale requests and guarantee claims (售后申请与保障理赔), with their transition tables.

A request (仅退款, 退货退款, 换货) and a guarantee claim (坏单包赔, 假一赔N, 品质问题, 少件, 超时) share one table of
rows but each family moves along its own transition table, close to the WeChat store's. Every move writes a
`Transition` row (who, when, from, to, rule, reason).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.transitions import TransitionTable


class Kind(models.TextChoices):
    REFUND_ONLY = "refund_only", _("仅退款")
    RETURN_REFUND = "return_refund", _("退货退款")
    EXCHANGE = "exchange", _("换货")
    DAMAGED = "damaged", _("坏单包赔")
    COUNTERFEIT = "counterfeit", _("假一赔N")
    QUALITY = "quality", _("品质问题")
    MISSING = "missing", _("少件")
    LATE = "late", _("超时")


REQUEST_KINDS = frozenset({Kind.REFUND_ONLY, Kind.RETURN_REFUND, Kind.EXCHANGE})
CLAIM_KINDS = frozenset({Kind.DAMAGED, Kind.COUNTERFEIT, Kind.QUALITY, Kind.MISSING, Kind.LATE})
# Claims the rules decide at once (autodecide.py); 假一赔N always waits for the platform.
RULE_KINDS = CLAIM_KINDS - {Kind.COUNTERFEIT}
# Kinds where the goods travel back to the merchant before the money (or the replacement) moves.
RETURN_KINDS = frozenset({Kind.RETURN_REFUND, Kind.EXCHANGE})


class Status(models.TextChoices):
    # requests
    REQUESTED = "requested", _("已申请")
    MERCHANT_HANDLING = "merchant_handling", _("待商家处理")
    NEGOTIATING = "negotiating", _("协商中")
    AGREED = "agreed", _("商家已同意")
    REFUSED = "refused", _("商家已拒绝")
    RETURN_IN_TRANSIT = "return_in_transit", _("退货寄回中")
    RECEIVED = "received", _("商家已收货")
    REFUNDED = "refunded", _("已退款")
    CLOSED = "closed", _("已关闭")
    # claims
    DECIDING = "deciding", _("自动审核中")
    WAITING_PLATFORM = "waiting_platform", _("待平台处理")
    WAITING_MERCHANT = "waiting_merchant", _("待商家处理")
    WAITING_CONSUMER = "waiting_consumer", _("待买家确认")
    WAITING_EVIDENCE = "waiting_evidence", _("待补充凭证")
    NO_PAYOUT = "no_payout", _("不予赔付")
    PAYING = "paying", _("赔付中")
    PAID = "paid", _("已赔付")
    FAILED = "failed", _("赔付失败")
    # both
    ESCALATED = "escalated", _("平台介入中")
    CANCELLED = "cancelled", _("已撤销")


S = Status
REQUEST_TRANSITIONS: TransitionTable = {
    S.REQUESTED: frozenset({S.MERCHANT_HANDLING, S.CANCELLED}),
    S.MERCHANT_HANDLING: frozenset({S.AGREED, S.REFUSED, S.NEGOTIATING, S.CANCELLED}),
    # the consumer accepts the merchant's partial amount (agreed) or declines it (back to the merchant)
    S.NEGOTIATING: frozenset({S.AGREED, S.MERCHANT_HANDLING, S.CANCELLED}),
    # refund only: the refund goes out at once; return and exchange: the parcel goes back first
    S.AGREED: frozenset({S.REFUNDED, S.RETURN_IN_TRANSIT, S.CANCELLED}),
    S.REFUSED: frozenset({S.ESCALATED, S.CLOSED}),
    S.ESCALATED: frozenset({S.AGREED, S.CLOSED}),
    # high-trust consumers are refunded when the courier takes the parcel (分级退款)
    S.RETURN_IN_TRANSIT: frozenset({S.RECEIVED, S.REFUNDED}),
    S.RECEIVED: frozenset({S.REFUNDED, S.CLOSED}),
    S.REFUNDED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}
CLAIM_TRANSITIONS: TransitionTable = {
    # a 坏单包赔 claim the rules decide at once, in a batch with the others waiting (services/autodecide.py)
    S.DECIDING: frozenset({S.PAYING, S.WAITING_MERCHANT}),
    S.WAITING_PLATFORM: frozenset({S.PAYING, S.WAITING_MERCHANT, S.WAITING_EVIDENCE, S.NO_PAYOUT, S.CANCELLED}),
    S.WAITING_MERCHANT: frozenset({S.PAYING, S.NO_PAYOUT, S.WAITING_CONSUMER, S.WAITING_EVIDENCE, S.CANCELLED}),
    S.WAITING_CONSUMER: frozenset({S.PAYING, S.WAITING_MERCHANT, S.CANCELLED}),
    # back to whoever asked for more evidence (an operator asks on an escalated claim); closed past its deadline
    S.WAITING_EVIDENCE: frozenset({S.WAITING_PLATFORM, S.WAITING_MERCHANT, S.ESCALATED, S.CANCELLED}),
    S.NO_PAYOUT: frozenset({S.ESCALATED}),
    S.ESCALATED: frozenset({S.PAYING, S.NO_PAYOUT, S.WAITING_EVIDENCE}),
    S.PAYING: frozenset({S.PAID, S.FAILED}),
    S.FAILED: frozenset({S.PAYING}),
    # a fund or insurer transfer the provider accepted, then reported failed (its notice reversed the journal)
    S.PAID: frozenset({S.FAILED}),
    S.CANCELLED: frozenset(),
}


def _family(name: str, table: TransitionTable) -> type[models.TextChoices]:
    """The statuses one family's table moves between, as choices of their own (labels shared with `Status`)."""
    members = [(status.name, (status.value, status.label)) for status in Status if status.value in table]
    return models.TextChoices(name, members)  # type: ignore[call-overload]


RequestStatus = _family("RequestStatus", REQUEST_TRANSITIONS)
ClaimStatus = _family("ClaimStatus", CLAIM_TRANSITIONS)

# Statuses in which a request or claim is still being handled: at most one per order line (a partial unique index).
# A refusal is not open (a new request may follow), but escalating it makes it open again.
OPEN_STATUSES = frozenset({
    S.REQUESTED, S.MERCHANT_HANDLING, S.NEGOTIATING, S.AGREED, S.RETURN_IN_TRANSIT, S.RECEIVED,
    S.DECIDING, S.WAITING_PLATFORM, S.WAITING_MERCHANT, S.WAITING_CONSUMER, S.WAITING_EVIDENCE, S.PAYING, S.FAILED,
    S.ESCALATED,
})
# Where the merchant must answer before `merchant_deadline`, or the consumer's request proceeds.
MERCHANT_TURN = frozenset({S.MERCHANT_HANDLING, S.WAITING_MERCHANT})
# Where the money went back: the request was upheld.
UPHELD = frozenset({S.REFUNDED, S.PAID})
# Where the merchant or the platform said no.
REJECTED = frozenset({S.REFUSED, S.NO_PAYOUT})


class DecidedBy(models.TextChoices):
    RULE = "rule", _("平台规则")
    MERCHANT = "merchant", _("商家")
    OPERATOR = "operator", _("平台客服")
    TIMEOUT = "timeout", _("超时规则")


class Outcome(models.TextChoices):
    APPROVE = "approve", _("同意")
    PARTIAL = "partial", _("部分同意")
    REFUSE = "refuse", _("拒绝")
    ROUTE = "route", _("转商家处理")


class Level(models.TextChoices):
    """Published consumer trust levels (分级退款)."""

    HIGH = "high", _("高信任")
    NORMAL = "normal", _("普通")
    NEW_OR_LOW = "new_or_low", _("新用户或低信任")


class PickupStatus(models.TextChoices):
    """A return pickup booked with a logistics organization (上门取件)."""

    BOOKED = "booked", _("已预约")
    PICKED_UP = "picked_up", _("已揽收")
    CANCELLED = "cancelled", _("已取消")


PICKUP_TRANSITIONS: TransitionTable = {
    PickupStatus.BOOKED: frozenset({PickupStatus.PICKED_UP, PickupStatus.CANCELLED}),
    PickupStatus.PICKED_UP: frozenset(),
    PickupStatus.CANCELLED: frozenset(),
}


class FeeBearer(models.TextChoices):
    """Who pays the courier for a return pickup; no money moves on the platform for it (docs/returns.md)."""

    CONSUMER = "consumer", _("买家承担")
    MERCHANT = "merchant", _("商家承担")
    PROGRAMME = "programme", _("保障计划承担")


class EvidenceAsker(models.TextChoices):
    """Who asked the consumer for more evidence, and so whose turn it is again once they answer."""

    MERCHANT = "merchant", _("商家")
    OPERATOR = "operator", _("平台客服")


class EvidenceRequestStatus(models.TextChoices):
    OPEN = "open", _("待补充")
    ANSWERED = "answered", _("已补充")
    EXPIRED = "expired", _("逾期未补充")
    WITHDRAWN = "withdrawn", _("已撤销")
class PayoutSource(models.TextChoices):
    """Where a request's money came from (the price part, and a compensation on top of it)."""

    REFUND = "refund", _("原路退款")
    FUND = "fund", _("平台先行赔付")
    INSURER = "insurer", _("保险赔付")
