"""Events of the after-sales requests, for the contexts built on top (ADR 0013, ADR 0022).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# A decision was made on a request or claim (by rule, merchant, operator or the silence rule). Keyword:
# decision_id, and xact (the deciding transaction, core.tasks.transaction_id). The notifications context tells the
# consumer (`aftersale_decided`); trust refreshes the product's score, once for a batch of decisions.
DECIDED = Event("aftersales.decided", carries_transaction=True)

# A consumer opened a request or claim (its reason is their words). Keyword: request_id. The care context
# classifies the reason (voice of the user, ADR 0054).
REQUEST_OPENED = Event("aftersales.request_opened")
# A merchant's cover changed: its deposit balance moved or it subscribed to an insurance policy.
# Keyword: organization_id. Trust refreshes the merchant's product scores (the credit component reads both).
COVER_CHANGED = Event("aftersales.cover_changed")
