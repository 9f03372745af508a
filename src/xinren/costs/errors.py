"""Stable error codes of cost transparency."""

LINES_INVALID = "cost_breakdown.lines_invalid"
SUM_MISMATCH = "cost_breakdown.sum_mismatch"
PRICE_INVALID = "cost_breakdown.price_invalid"
COST_NOT_FOUND = "cost_breakdown.not_found"
NO_OFFER = "cost_breakdown.no_offer"
PRICE_CHANGED = "cost_breakdown.price_changed"
