"""Events of the verification context, for the contexts built on top of it (ADR 0013).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# A credential's status changed (verified, failed, withdrawn). Keyword: organization_id (its holder).
# Trust refreshes the holder's product scores (the credit component counts verified credentials).
CREDENTIAL_CHANGED = Event("verification.credential_changed")
