"""Template filters for orders pages: fen shown as yuan, phones masked."""

from __future__ import annotations

from django import template

from xinren.accounts.consumers import phone_mask
from xinren.core.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12800 -> "128.00"."""
    return fen_to_yuan(int(fen or 0))


@register.filter
def masked(phone: str | None) -> str:
    """"13812341234" -> "138****1234"."""
    return phone_mask(phone)
