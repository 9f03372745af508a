"""Events of the lab context, for the contexts built on top of it (ADR 0013).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# A lab report was recorded on a lot (issued by the platform's key or submitted signed). Keyword: report_id.
# Trust subscribes the refresh of the lot's product score.
REPORT_RECORDED = Event("lab.report_recorded")
