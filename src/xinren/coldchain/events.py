"""Events of the cold-chain context, for the contexts built on top of it (ADR 0013).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# What the cold chain measured about products changed: a leg opened, excursions found or recomputed, a promise
# set, items delivered (promise results). Keyword: product_ids. Trust refreshes those products' scores.
MEASURED = Event("coldchain.measured")
