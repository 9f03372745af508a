"""Signals of the reviews context, for the contexts built on top of it (the community's scores and points)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent once the transaction that posted, diaried, folded or unfolded a review has committed; keyword: review_id.
# Receivers run outside that transaction, and a failing receiver is logged, never the write's failure.
review_changed = Signal()
