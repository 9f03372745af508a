"""`{{ review|reviewer_name }}`: how a page names a review's author (masked nickname or default name, never the
pseudonym); the one helper behind it is accounts.nicknames.reviewer_name (via selectors.review_display_name)."""

from __future__ import annotations

from django import template

from xinren.reviews.models import Review
from xinren.reviews.selectors import review_display_name

register = template.Library()


@register.filter
def reviewer_name(review: Review) -> str:
    return review_display_name(review)
