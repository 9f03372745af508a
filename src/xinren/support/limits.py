"""How much a consumer may write (联系商家 rate limits), counted in the database (accounts.throttle, ADR 0016).

Counts are per Asia/Shanghai calendar day. Each post counts on its keys inside the post's transaction, so a refused
post (over a limit, or refused for any other reason afterwards) rolls its counts back with everything else: a
flood changes nothing but gets a clear Chinese error (429). Pre-sale questions (咨询, about a product the consumer
has not bought) get the tighter numbers. `settings.XINREN_SUPPORT_LIMITS` overrides any of them (tests, busy shops).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinren.accounts.throttle import throttle_hit, throttle_key
from xinren.core.errors import DomainError

from . import errors

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORGET = 2 * 86400  # the day is in the key; counters of past days are forgotten (and pruned) after this

DEFAULTS = {
    # messages a consumer may send in one conversation per day
    "per_conversation": 20,
    "per_conversation_pre_sale": 5,
    # messages a consumer may send across all conversations per day
    "per_consumer": 60,
    # new pre-sale conversations a consumer may open per day
    "pre_sale_conversations": 5,
}


def limit(name: str) -> int:
    return int(getattr(settings, "XINREN_SUPPORT_LIMITS", {}).get(name, DEFAULTS[name]))


def _day(now: datetime) -> str:
    return now.astimezone(SHANGHAI).date().isoformat()


def _take(name: str, parts: tuple[str, ...], *, now: datetime, message: str) -> None:
    allowed = limit(name)
    count = throttle_hit(throttle_key("support", name, *parts, _day(now)), forget=FORGET)
    if count > allowed:
        raise DomainError(errors.RATE_LIMITED, message, details={"limit": name, "per_day": allowed}, status=429)


def message_count(*, consumer_id: int, conversation_id: int, pre_sale: bool, now: datetime) -> None:
    """Count one consumer message, or refuse it (429) when a daily limit is reached. Call inside the transaction."""
    per_conversation = "per_conversation_pre_sale" if pre_sale else "per_conversation"
    _take(per_conversation, (str(conversation_id),), now=now,
          message=str(_("这个会话今天的消息已达上限（%(n)s 条），请等商家回复或明天再发")
                      % {"n": limit(per_conversation)}))
    _take("per_consumer", (str(consumer_id),), now=now,
          message=str(_("你今天发送的消息已达上限（%(n)s 条），请明天再试") % {"n": limit("per_consumer")}))


def pre_sale_conversation_count(*, consumer_id: int, now: datetime) -> None:
    """Count one new pre-sale conversation, or refuse it (429) past the daily limit."""
    _take("pre_sale_conversations", (str(consumer_id),), now=now,
          message=str(_("今天发起的售前咨询已达上限（%(n)s 个），请明天再试") % {"n": limit("pre_sale_conversations")}))
