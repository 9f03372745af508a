"""Events of the governance context, for the contexts built on top of it (ADR 0013).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# A merchant's standing changed: a probation started, ended or was extended, or its risk band changed (and the
# action that follows, a suspension included). Keyword: organization_id. Trust refreshes the merchant's scores.
STANDING_CHANGED = Event("governance.standing_changed")
