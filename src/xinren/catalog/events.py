"""Events of the catalog context, for the contexts built on top of it (ADR 0013).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# Listing suspensions were created or lifted. Keyword: product_ids. Trust refreshes those products' scores.
SUSPENSIONS_CHANGED = Event("catalog.suspensions_changed")
