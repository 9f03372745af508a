"""Reading the CSV exports `xinren rings detect` takes into the detector's `Order` and `Review` tuples (no Django).

Orders: order_id, buyer, shop, product, time, amount_fen, phone_hash, address_hash, and optionally device_hash and
payment_hash (keyed hashes of the checkout device and of the payer account); reviews: order_id, buyer,
product, time, stars, text. Time is epoch seconds or ISO 8601 (naive means UTC).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from .graph import Order, Review


class InputError(ValueError):
    """A malformed CSV row (the CLI reports it with the line number)."""


def parse_time(value: str) -> float:
    """Epoch seconds, or an ISO 8601 date-time (naive means UTC)."""
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


ORDER_COLUMNS = ("order_id", "buyer", "shop", "product", "time", "amount_fen", "phone_hash", "address_hash")
OPTIONAL_ORDER_COLUMNS = ("device_hash", "payment_hash")
REVIEW_COLUMNS = ("order_id", "buyer", "product", "time", "stars", "text")


def _rows(lines: Iterable[str], columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(lines)
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"missing columns: {', '.join(missing)}")
    for row in reader:
        yield reader.line_num, row


def orders_read(lines: Iterable[str]) -> list[Order]:
    out = []
    for line, row in _rows(lines, ORDER_COLUMNS):
        try:
            out.append(
                Order(
                    row["order_id"],
                    row["buyer"],
                    row["shop"],
                    row["product"],
                    parse_time(row["time"]),
                    int(row["amount_fen"] or 0),
                    row["phone_hash"] or "",
                    row["address_hash"] or "",
                    row.get("device_hash") or "",
                    row.get("payment_hash") or "",
                )
            )
        except (ValueError, TypeError) as error:
            raise InputError(f"line {line}: {error}") from None
        if not row["buyer"] or not row["shop"] or not row["product"]:
            raise InputError(f"line {line}: buyer, shop and product are required")
    return out


def reviews_read(lines: Iterable[str]) -> list[Review]:
    out = []
    for line, row in _rows(lines, REVIEW_COLUMNS):
        try:
            out.append(
                Review(
                    row["order_id"],
                    row["buyer"],
                    row["product"],
                    parse_time(row["time"]),
                    int(row["stars"] or 0),
                    row["text"] or "",
                )
            )
        except (ValueError, TypeError) as error:
            raise InputError(f"line {line}: {error}") from None
    return out
