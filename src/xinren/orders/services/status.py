"""Moving an order along its transition table, with the status-change row written every time."""

from __future__ import annotations

from datetime import datetime

from xinren.accounts.models import Organization, User
from xinren.core.transitions import transition_check
from xinren.orders import errors
from xinren.orders.choices import ORDER_TRANSITIONS, OrderStatus
from xinren.orders.models import Order, OrderStatusChange

_TIMESTAMPS = {
    OrderStatus.PAID: "paid_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


def order_status_move(
    *,
    order: Order,
    target: str,
    at: datetime,
    by_user: User | None = None,
    by_organization: Organization | None = None,
    note: str = "",
) -> OrderStatusChange:
    """Move a locked order to `target`; refuses a move the table does not allow. Call inside the transaction."""
    transition_check(ORDER_TRANSITIONS, order.status, target, code=errors.ORDER_TRANSITION, labels=OrderStatus)
    previous = order.status
    order.status = OrderStatus(target)
    fields = ["status", "updated_at"]
    if target in _TIMESTAMPS:
        setattr(order, _TIMESTAMPS[OrderStatus(target)], at)
        fields.append(_TIMESTAMPS[OrderStatus(target)])
    order.save(update_fields=fields)
    return OrderStatusChange.objects.create(
        order=order,
        from_status=previous,
        to_status=target,
        at=at,
        by_user=by_user if by_user is not None and by_user.is_authenticated else None,
        by_organization=by_organization,
        note=note[:200],
    )
