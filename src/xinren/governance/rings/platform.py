"""The platform's own orders and reviews as the detector's input (graph.Order, graph.Review).

Buyers, shops and products are database ids as strings. The recipient's phone and the shipping address are
turned into keyed hashes here, in memory (accounts/keyed.py); the device and the payer account are stored on the
order as keyed hashes only (orders: `device_hash`, `payment_hash`): the detector only ever compares hashes, and
nothing personal leaves this function.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

from xinren.accounts.keyed import identity_key, keyed_hash
from xinren.orders.models import OrderLine
from xinren.reviews.models import Review as ReviewRow

from .graph import Order, Review


def address_hash(address: str) -> str:
    """A keyed hash of a shipping address, whitespace and punctuation ignored (accounts/keyed.py has no address
    kind; the same key, under its own prefix)."""
    text = re.sub(r"[\s\W_]+", "", address).upper()
    return hmac.new(identity_key(), f"address:{text}".encode(), hashlib.sha256).hexdigest()


def platform_orders(*, since: datetime) -> list[Order]:
    """One `Order` per order line placed since `since` (an order of three products is three purchase edges)."""
    rows = (
        OrderLine.objects.filter(order__placed_at__gte=since)
        .values_list(
            "order__number",
            "order__consumer_id",
            "order__merchant_id",
            "product_id",
            "order__placed_at",
            "total_fen",
            "order__recipient_phone",
            "order__shipping_address",
            "order__device_hash",
            "order__payment_hash",
        )
        .order_by("order__placed_at", "id")
    )
    phones: dict[str, str] = {}
    addresses: dict[str, str] = {}
    out = []
    for number, buyer, shop, product, placed, total, phone, address, device, payer in rows.iterator(chunk_size=5000):
        if phone and phone not in phones:
            phones[phone] = keyed_hash("phone", phone)
        if address and address not in addresses:
            addresses[address] = address_hash(address)
        out.append(
            Order(
                number,
                str(buyer),
                str(shop),
                str(product),
                placed.timestamp(),
                int(total),
                phones.get(phone, ""),
                addresses.get(address, ""),
                device,  # already keyed hashes, recorded when the order was placed and paid (orders/models.py)
                payer,
            )
        )
    return out


def platform_reviews(*, since: datetime) -> list[Review]:
    rows = ReviewRow.objects.filter(line__order__placed_at__gte=since).values_list(
        "line__order__number", "consumer_id", "product_id", "created_at", "stars", "text"
    )
    return [
        Review(number, str(buyer), str(product), created.timestamp(), int(stars), text)
        for number, buyer, product, created, stars, text in rows.iterator(chunk_size=5000)
    ]
