"""Template filters for the support pages: durations and shares in words, the consumer's pseudonym."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from ..selectors import consumer_alias as _consumer_alias

register = template.Library()


@register.filter
def duration_zh(seconds: int | None) -> str:
    """1 h 5 min as "1 小时 5 分钟"; under a minute "不到 1 分钟"; None "—"."""
    if seconds is None:
        return "—"
    minutes = seconds // 60
    if minutes < 1:
        return _("不到 1 分钟")
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        return _("%(days)s 天 %(hours)s 小时") % {"days": hours // 24, "hours": hours % 24}
    if hours:
        return _("%(hours)s 小时 %(minutes)s 分钟") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s 分钟") % {"minutes": minutes}


@register.filter
def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


@register.filter
def consumer_alias(consumer_id: int) -> str:
    """How the merchant sees the consumer (never the phone)."""
    return _consumer_alias(consumer_id)
