"""The evidence sections of a consumer page: scorecard, cost bar, labels, album, cold chain, reviews.

Each bounded context owns one section: a selector that returns plain JSON-serialisable data (or None
when it has nothing to show) and a partial template under public/ that draws it. This module only
collects them, so the story JSON, the published files and the page rendered on demand carry the same
sections. Sections are computed per lot (or per product on a product page), never per item, so that
publishing a lot of 5,000 items reads them once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xinren.catalog.gs1 import DigitalLink
from xinren.catalog.models import Batch, Product
from xinren.coldchain.selectors import coldchain_for
from xinren.evidence.selectors import album_for
from xinren.reviews.selectors import reviews_section_for
from xinren.trace.story import story_for_link
from xinren.trust.selectors import labels_for

from .evidence_sections import costs_for, scorecard_for

SectionProvider = Callable[..., dict[str, Any] | None]

# Page order: what a shopper asks first (is it tested? what does it cost? what is it labelled?) comes first.
PROVIDERS: tuple[tuple[str, SectionProvider], ...] = (
    ("labels", labels_for),
    ("scorecard", scorecard_for),
    ("costs", costs_for),
    ("coldchain", coldchain_for),
    ("album", album_for),
    ("reviews", reviews_section_for),
)


def sections_for(*, product: Product, batch: Batch | None) -> dict[str, Any]:
    """Every section that has something to show for this product (and lot, on batch and item pages)."""
    sections: dict[str, Any] = {}
    for name, provider in PROVIDERS:
        section = provider(product=product, batch=batch)
        if section:
            sections[name] = section
    return sections


def public_story_for_link(*, link: DigitalLink) -> dict[str, Any] | None:
    """The story a Digital Link names, with its sections: what the scan page and its JSON show."""
    story = story_for_link(link=link)
    if story is None:
        return None
    product = Product.objects.select_related("merchant").get(gtin=story["product"]["gtin"])
    batch = product.batches.get(lot=story["batch"]["lot"]) if story.get("batch") else None
    story["sections"] = sections_for(product=product, batch=batch)
    return story
