"""Events of the support context, for the contexts built on top of it (ADR 0013).

Announcing an event queues the tasks subscribed to it in the announcer's transaction; nothing runs in-process.
"""

from __future__ import annotations

from xinren.core.tasks import Event

# A message was posted to a conversation, by either side. Keyword: message_id. The notifications context will
# subscribe (a merchant's reply tells the consumer; a consumer's message tells the merchant's staff).
MESSAGE_POSTED = Event("support.message_posted")
