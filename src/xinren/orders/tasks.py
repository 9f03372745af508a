"""Background tasks of the orders context (ADR 0013): thin wrappers over the services, run by a worker."""

from __future__ import annotations

from xinren.core.tasks import background

from .services import offer_pages
from .services import orders as order_services
from .services import payments as payment_services


@background(attempts=5)
def order_expire_task(*, order_id: int) -> bool:
    """Queued when an order is placed, to run at its payment deadline: cancel it if it is still unpaid."""
    return order_services.order_expire(order_id=order_id)


@background(attempts=2, backoff=60)
def orders_expire_task() -> int:
    """Periodic sweep: cancel every unpaid order past its deadline (those whose own task did not run)."""
    return order_services.orders_expire()


@background(attempts=2, backoff=60)
def payments_reconcile_task() -> dict[str, int]:
    """Periodic: redeliver webhooks, refresh payments still open, retry pending refunds."""
    done = payment_services.payments_reconcile()
    return {
        "webhooks_delivered": done.webhooks_delivered,
        "payments_refreshed": done.payments_refreshed,
        "refunds_retried": done.refunds_retried,
    }


@background(attempts=2, backoff=60)
def offer_pages_refresh_task() -> int:
    """Daily, just after local midnight: queue the product pages whose offer the new day's shelf life flipped."""
    return offer_pages.offer_pages_refresh_for_date()


@background(attempts=2, backoff=60)
def payouts_pay_due_task() -> dict[str, int]:
    """Periodic: pay merchants the settlements due (orders/payouts.py), holding or intercepting as governance says."""
    from .payouts import payouts_pay_due

    return payouts_pay_due()
