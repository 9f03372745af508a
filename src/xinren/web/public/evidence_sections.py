"""The lab scorecard and cost-breakdown sections of the consumer page.

Both are signed statements already (a lab's report, a merchant's breakdown); the sections add what the page
needs to draw them and the statement's proof state, so that the card says where it comes from.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Literal

from typing_extensions import TypedDict

from xinren.attest.proofs import LedgerProof, signed_leaf_proofs
from xinren.attest.records import SignedRecord
from xinren.catalog.choices import ProductCategory
from xinren.catalog.models import Batch, Product
from xinren.costs.selectors import CostBreakdownFields, CostLine, cost_breakdown_current
from xinren.costs.statements import COST_BREAKDOWN_RECORD
from xinren.lab.models import LabReport
from xinren.lab.scorecard import Suggestion
from xinren.lab.selectors import IndicatorResult, Scorecard, ScorecardFields, scorecard_for_batch, scorecard_for_report
from xinren.lab.statements import LAB_REPORT_RECORD
from xinren.lab.thresholds import COMPARATOR_SYMBOLS, Comparator
from xinren.web.cost_prices import public_price_fen

# Bars show a measured value against its limit; a value far below the limit still gets a visible sliver.
MIN_BAR_PERCENT = 2
# Colours of the cost bar, one per line, in COST_LINES order (raw material first, profit last).
COST_COLOURS = ("#25613a", "#4d8b55", "#b7791f", "#1d5487", "#7a6a5c", "#9c3a1f")


class UnsignedProof(TypedDict, closed=True):
    """The proof of a statement recorded without a leaf hash."""

    state: Literal["unsigned"]


class ScorecardSectionIndicator(IndicatorResult, closed=True):
    bar_percent: int  # how full the bar is: the value as a share of the limit, capped at 100


class ScorecardSectionSuggestion(Suggestion, closed=True):
    name: str
    comparator_symbol: str


class ScorecardSection(ScorecardFields, closed=True):
    """The scorecard section: the lot's latest lab report, drawn as bars, with its proof."""

    indicators: list[ScorecardSectionIndicator]
    suggestions: list[ScorecardSectionSuggestion]
    report_url: str  # the machine-readable report (JSON)
    page_url: str  # the report's own readable page (lab_report_page)
    proof: LedgerProof | UnsignedProof


class LabReportPage(TypedDict, closed=True):
    """A lab report's own page: the scorecard section with the product it sampled and where to find it."""

    card: ScorecardSection
    product_name: str
    lot_path: str
    category: str  # the label of the category whose limits graded the report


class CostsSectionLine(CostLine, closed=True):
    colour: str


class CostsSection(CostBreakdownFields, closed=True):
    """The cost bar: the current breakdown as coloured segments, with its proof (published_at is a date), and how
    the price it was published against compares with the price now (`price_state`; a stale one says so)."""

    lines: list[CostsSectionLine]
    proof: LedgerProof | UnsignedProof


def scorecard_for(*, product: Product, batch: Batch | None) -> ScorecardSection | None:
    """The lot's lab scorecard (检测可视化) with its report's proof, or None without a report (or on a product page)."""
    if batch is None:
        return None
    card = scorecard_for_batch(batch=batch)
    return None if card is None else _scorecard_section(card)


def lab_report_page_for(*, report: LabReport) -> LabReportPage:
    """Everything a lab report's own page shows: every indicator, the lab, the sample, the PDF and the proof."""
    return {
        "card": _scorecard_section(scorecard_for_report(report=report)),
        "product_name": report.batch.product.name,
        "lot_path": report.batch.digital_link.path,
        "category": _category_label(report.category or report.batch.product.category),
    }


def _category_label(category: str) -> str:
    return str(ProductCategory(category).label) if category in ProductCategory.values else category


def lab_report_page_url(report_uuid: str) -> str:
    """Where a lab report's readable page is (web/public/urls.py)."""
    return f"/lab-reports/{report_uuid}/"


def _scorecard_section(card: Scorecard) -> ScorecardSection:
    indicators: list[ScorecardSectionIndicator] = [
        {**indicator, "bar_percent": _bar_percent(indicator)} for indicator in card["indicators"]
    ]
    names = {indicator["indicator"]: indicator["name"] for indicator in card["indicators"]}
    suggestions: list[ScorecardSectionSuggestion] = [
        {
            **tip,
            "name": names.get(tip["indicator"], tip["indicator"]),
            "comparator_symbol": str(COMPARATOR_SYMBOLS[Comparator(tip["comparator"])]),
        }
        for tip in card["suggestions"]
    ]
    return {
        **card,
        "indicators": indicators,
        "suggestions": suggestions,
        "report_url": f"/api/v1/lab-reports/{card['report_id']}",
        "page_url": lab_report_page_url(card["report_uuid"]),
        "proof": _proof(LAB_REPORT_RECORD, card["leaf_hash"]),
    }


def costs_for(*, product: Product, batch: Batch | None) -> CostsSection | None:
    """The current cost breakdown (成本透明) as bar segments with its proof, held against what the product sells for
    now, or None when none is published."""
    costs = cost_breakdown_current(product=product, current_price_fen=public_price_fen(product_id=product.pk))
    if costs is None:
        return None
    return {
        **costs,
        "lines": [
            {**line, "colour": colour} for line, colour in zip(costs["lines"], COST_COLOURS, strict=True)
        ],
        "published_at": costs["published_at"][:10],
        "proof": _proof(COST_BREAKDOWN_RECORD, costs["leaf_hash"]),
    }


def _bar_percent(indicator: IndicatorResult) -> int:
    """How full the bar is: the measured value as a share of the limit, capped at 100 (over the limit)."""
    if indicator["not_detected"]:
        return 0
    try:
        value, limit = Decimal(indicator["value"]), Decimal(indicator["limit"])
    except (InvalidOperation, TypeError):
        return 0
    if limit <= 0:
        return 100 if value > 0 else 0
    return max(MIN_BAR_PERCENT, min(100, int(value * 100 / limit)))


def _proof(record: SignedRecord, leaf_hash: str) -> LedgerProof | UnsignedProof:
    # The row behind the card must still say what its logged statement says (an edited value is not verified).
    return signed_leaf_proofs(record, [leaf_hash])[leaf_hash].as_dict() if leaf_hash else {"state": "unsigned"}
