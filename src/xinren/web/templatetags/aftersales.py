"""After-sale pages: a rule's checked condition in words (aftersales.rules.condition_words)."""

from __future__ import annotations

from typing import Any

from django import template

from xinren.aftersales.rules import condition_words

register = template.Library()


@register.filter
def condition_text(condition: dict[str, Any]) -> str:
    return condition_words(condition)
