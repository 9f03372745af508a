"""Events of the reviews context, for the contexts built on top of it (ADR 0013).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# A review's public content or standing changed: posted, diaried, folded or unfolded. Keyword: review_id.
# The community subscribes its rescore (quality score and reward points).
REVIEW_CHANGED = Event("reviews.review_changed")

# The merchant replied to a review. Keyword: reply_id.
REVIEW_REPLIED = Event("reviews.review_replied")

# A review was folded; its author is told the public reason. Keywords: review_id, fold_id.
REVIEW_FOLDED = Event("reviews.review_folded")

# The author of a review is invited to write the usage diary of a milestone (7, 15, 30 days). Keyword: invitation_id.
DIARY_INVITED = Event("reviews.diary_invited")
