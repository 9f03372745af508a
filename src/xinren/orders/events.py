"""Events of the orders context, for the contexts built on top of it (ADR 0013).

Each is announced inside the transaction of the service that makes it happen, so a rolled-back write announces
nothing; the keywords are ids only (a subscriber reads what it needs, as the recipient may see it).
"""

from __future__ import annotations

from xinren.core.tasks import Event

# The order's payment was captured and the order moved to paid. Keyword: order_id.
ORDER_PAID = Event("orders.order_paid")
# The merchant shipped the order. Keywords: order_id, shipment_id (carrier and tracking number are on the shipment).
ORDER_SHIPPED = Event("orders.order_shipped")
# The parcel was delivered (confirmed by the consumer or the carrier). Keyword: order_id.
ORDER_DELIVERED = Event("orders.order_delivered")
# The order was cancelled: by the consumer, the merchant, or because it was not paid in time. Keyword: order_id.
ORDER_CANCELLED = Event("orders.order_cancelled")
# A refund was paid out by the provider. Keywords: refund_id, and xact (the transaction that recorded it,
# core.tasks.transaction_id).
REFUND_DONE = Event("orders.refund_done", carries_transaction=True)
