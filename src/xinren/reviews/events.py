"""Events of the reviews context, for the contexts built on top of it (ADR 0013).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# A review's public content or standing changed: posted, diaried, folded or unfolded. Keyword: review_id.
# The community subscribes its rescore (quality score and reward points).
REVIEW_CHANGED = Event("reviews.review_changed")
