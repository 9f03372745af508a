"""Events of recalls, for the contexts built on top (ADR 0013): notifications subscribe in notify/apps.py."""

from __future__ import annotations

from xinren.core.tasks import Event

# A buyer was reached by a recall: their RecallNotice was written. Keyword: notice_id. The notifications context
# tells the buyer (kind `recall`), once per notice.
RECALL_BUYER_REACHED = Event("recalls.buyer_reached")
