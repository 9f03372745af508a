"""The evidence sections of a consumer page: scorecard, cost bar, labels, album, cold chain, reviews.

Each bounded context owns one section: a selector that returns plain JSON-serialisable data (or None
when it has nothing to show), typed by a TypedDict the context declares, and a partial template under
public/ that draws it. This module only collects them, so the story JSON, the published files and the
page rendered on demand carry the same sections. Sections are computed per lot (or per product on a
product page), never per item, so that publishing a lot of 5,000 items reads them once.
"""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from xinren.aftersales.programmes.section import GuaranteesSection, guarantees_section_for
from xinren.aftersales.recalls.section import RecallSection, recall_section_for
from xinren.catalog.facts_section import FactsSection, facts_section_for
from xinren.catalog.gs1 import DigitalLink
from xinren.catalog.models import Batch, Product
from xinren.catalog.suspensions import SuspensionSection, suspension_section_for
from xinren.coldchain.section import ColdChainSection
from xinren.coldchain.selectors import ItemPromiseLine, coldchain_for, item_promise_lines
from xinren.evidence.selectors import Album, album_for
from xinren.reviews.section import ReviewsLink, ReviewsSection
from xinren.reviews.selectors import reviews_section_for
from xinren.trace.story import Story, story_for_link
from xinren.trust.delisting.selectors import DelistingHistorySection, history_section_for
from xinren.trust.scores.selectors import ScoreSection, score_section_for
from xinren.trust.selectors import LabelsSection, labels_for

from .evidence_sections import CostsSection, ScorecardSection, costs_for, scorecard_for


class Sections(TypedDict, total=False, closed=True):
    """The sections that have something to show, in page order; the others are left out."""

    recall: RecallSection  # drawn at the very top of the page (scan.html), not with the others
    suspension: SuspensionSection  # why it cannot be bought now (governance suspended it): drawn under the title
    facts: FactsSection  # the merchant's signed facts and their history, drawn under the page's title
    score: ScoreSection  # the product's trust score and its breakdown (trust.scores, ADR 0047)
    trust_delisting: DelistingHistorySection  # delisted on the score, appealed, decided, relisted (ADR 0052)
    labels: LabelsSection
    guarantees: GuaranteesSection  # what protects a buyer, and the merchant's after-sale record
    scorecard: ScorecardSection
    costs: CostsSection
    coldchain: ColdChainSection
    album: Album
    reviews: ReviewsLink | ReviewsSection


class PublicStory(Story, closed=True):
    """The story with its sections: what the scan page, its JSON and the published files show."""

    sections: Sections
    # On an item page: how this item measured against each promise (coldchain, ADR 0036).
    item_promises: NotRequired[list[ItemPromiseLine]]


def sections_for(*, product: Product, batch: Batch | None) -> Sections:
    """Every section that has something to show for this product (and lot, on batch and item pages)."""
    # Page order: what a shopper asks first (is it tested? what does it cost? what is it labelled?) comes first.
    sections: Sections = {}
    if recall := recall_section_for(product=product, batch=batch):
        sections["recall"] = recall
    if suspension := suspension_section_for(product=product):
        sections["suspension"] = suspension
    if facts := facts_section_for(product=product):
        sections["facts"] = facts
    if score := score_section_for(product=product):
        sections["score"] = score
    if trust_delisting := history_section_for(product=product):
        sections["trust_delisting"] = trust_delisting
    if labels := labels_for(product=product, batch=batch):
        sections["labels"] = labels
    sections["guarantees"] = guarantees_section_for(product=product)
    if scorecard := scorecard_for(product=product, batch=batch):
        sections["scorecard"] = scorecard
    if costs := costs_for(product=product, batch=batch):
        sections["costs"] = costs
    if coldchain := coldchain_for(product=product, batch=batch):
        sections["coldchain"] = coldchain
    if album := album_for(product=product, batch=batch):
        sections["album"] = album
    if reviews := reviews_section_for(product=product, batch=batch):
        sections["reviews"] = reviews
    return sections


def story_with_sections(story: Story, sections: Sections) -> PublicStory:
    """The story with its sections (the sections go last in the JSON)."""
    return {**story, "sections": sections}


def public_story_for_link(*, link: DigitalLink) -> PublicStory | None:
    """The story a Digital Link names, with its sections: what the scan page and its JSON show."""
    story = story_for_link(link=link)
    if story is None:
        return None
    product = Product.objects.select_related("merchant").get(gtin=story["product"]["gtin"])
    batch = product.batches.get(lot=story["batch"]["lot"]) if story["batch"] else None
    public = story_with_sections(story, sections_for(product=product, batch=batch))
    if batch is not None and story["item"] is not None:
        item_id = batch.items.filter(serial=story["item"]["serial"]).values_list("pk", flat=True).first()
        if item_id is not None and (lines := item_promise_lines(batch=batch, item_ids=[item_id]).get(item_id)):
            public["item_promises"] = lines
    return public
