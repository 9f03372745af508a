"""What measuring promises per item adds to a delivery confirmation, on a lot of 5,000 items (not a test).

One run, one fresh database (SQLite file var/bench/promises.sqlite3, or the PostgreSQL database xinren_h_promises
on $BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432):

  world   a platform, a merchant, a fresh product with a 48-hour promise, one lot of `--lot` items (5,000) harvested
          60 hours ago; `--prefilled` of them (4,000) already delivered (their ItemDelivery rows bulk-inserted, as
          earlier confirmations would have left them); then `--confirmations` × 2 orders of `--items` items each,
          placed, paid in the sandbox and shipped through the real order services — not timed.
  timed   the buyers confirm delivery (`order_delivery_confirm`: the order and shipment locked, the status moves,
          the receipt's EPCIS event signed by the platform and pooled for the log, the audit row, the page-refresh
          rows, one transaction). "on" and "off" alternate call by call in the same run: "on" is the service as it
          ships, recording the items' deliveries (`coldchain.services.item_deliveries_record`, ADR 0036); "off" is
          the same confirmation with that hook replaced by a no-op (the baseline).

Prints p50/p99/max of each, the added latency (on − off) at p50 and p99 (goal p99 added ≤ 20 ms), and the hook's own
time measured inside the "on" calls (the added cost without the noise of two distributions). Then, for
scale, the read that re-measures the whole lot from the stored rows (`promise_results_for_batch`: one aggregate
query over the lot's deliveries) and the item lines of a 500-item publishing chunk (`item_promise_lines`).

Usage: python bench/coldchain/promise_confirm.py --db sqlite|postgres [--confirmations 200] [--items 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
os.environ.setdefault("XINREN_ORDERS_PER_HOUR", "1000000")
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PG_DB = "xinren_h_promises"
BENCH_DIR = ROOT / "var" / "bench"


def use_database(kind: str) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        path = BENCH_DIR / "promises.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"{PG_URL}/{PG_DB}"
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def world(*, lot: int, prefilled: int, orders: int, items_per_order: int) -> tuple[int, list[tuple[int, str]]]:
    """The lot and the shipped orders: (batch id, [(consumer id, order number)])."""
    from tests.factories import BatchFactory, OrganizationFactory, ProductFactory, actor_for
    from tests.orders.flows import order_paid, order_placed, order_shipped
    from xinren.accounts.choices import OrganizationKind, Role
    from xinren.accounts.consumers import consumer_signup
    from xinren.catalog.choices import ProductCategory
    from xinren.catalog.models import Item
    from xinren.coldchain.models import ItemDelivery
    from xinren.coldchain.services import promise_set
    from xinren.core import clock
    from xinren.orders.models import Offer
    from xinren.trace.services import delivery_receipt_record, event_record

    platform = OrganizationFactory(name="信任平台运营中心", slug="xinren", kind=OrganizationKind.PLATFORM, uscc=None)
    merchant = OrganizationFactory(slug="bench-mushrooms", name="昆明野生菌铺", kind=OrganizationKind.MERCHANT)
    product = ProductFactory(merchant=merchant, name="野生牛肝菌 250g", category=ProductCategory.WILD_MUSHROOM)
    Offer.objects.create(merchant=merchant, product=product, price_fen=3000, stock=lot)
    batch = BatchFactory(product=product, quantity=lot)
    Item.objects.bulk_create(
        [Item(batch=batch, product=product, serial=f"B{n:07d}") for n in range(lot)], batch_size=1000
    )
    seller = actor_for(merchant, Role.ADMIN)
    now = clock.now()
    event_record(actor=seller, event_type="ObjectEvent", biz_step="harvesting", event_time=now - dt.timedelta(hours=60),
                 identifiers=[batch.digital_link.path])  # fmt: skip
    promise_set(actor=seller, product_id=product.pk, hours=48, text="48小时从产地到餐桌")
    items = list(Item.objects.filter(batch=batch).select_related("batch", "product").order_by("pk"))
    # Earlier deliveries: one real receipt, and the rows its like would have left for `prefilled` items.
    receipt = delivery_receipt_record(organization=platform, merchant=merchant, event_time=now - dt.timedelta(hours=20),
                                      identifiers=[items[0].digital_link.path])  # fmt: skip
    ItemDelivery.objects.bulk_create(
        [ItemDelivery(item=item, batch=batch, delivery_event=receipt,
                      delivered_at=now - dt.timedelta(hours=30 - (n % 25)), by_buyer=n % 3 == 0)
         for n, item in enumerate(items[:prefilled])],
        batch_size=1000,
    )  # fmt: skip
    stock = iter(items[prefilled:])
    shipped = []
    for n in range(orders):
        user = consumer_signup(phone=f"1370000{n:04d}", password="bench-password-1")
        order = order_placed(user, product, items_per_order)
        order_paid(user, order)
        order_shipped(seller, order, [next(stock) for _ in range(items_per_order)])
        shipped.append((user.pk, order.number))
    return batch.pk, shipped


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--lot", type=int, default=5000)
    parser.add_argument("--prefilled", type=int, default=4000)
    parser.add_argument("--confirmations", type=int, default=200, help="timed confirmations each way")
    parser.add_argument("--items", type=int, default=2, help="items per order")
    args = parser.parse_args()
    if args.prefilled + 2 * args.confirmations * args.items > args.lot:
        parser.error("the lot is too small for the prefilled items and the orders")
    use_database(args.db)

    from xinren.accounts.models import User
    from xinren.catalog.models import Batch
    from xinren.coldchain.models import ItemDelivery
    from xinren.coldchain.selectors import item_promise_lines, promise_results_for_batch
    from xinren.orders.services import order_delivery_confirm, shipping

    started = time.perf_counter()
    batch_id, shipped = world(lot=args.lot, prefilled=args.prefilled, orders=2 * args.confirmations,
                              items_per_order=args.items)  # fmt: skip
    print(f"world: lot of {args.lot} items, {args.prefilled} delivered before, {len(shipped)} orders of "
          f"{args.items} shipped ({time.perf_counter() - started:.0f} s, not timed)")
    hook = shipping.item_deliveries_record

    def off(*, event: object, by_buyer: bool) -> int:
        return 0

    inside: list[float] = []

    def on(*, event: object, by_buyer: bool) -> int:  # the hook as it ships, its own time noted
        start = time.perf_counter()
        try:
            return hook(event=event, by_buyer=by_buyer)  # type: ignore[arg-type]
        finally:
            inside.append((time.perf_counter() - start) * 1000)

    timings: dict[str, list[float]] = {"on": [], "off": []}
    users = {pk: User.objects.get(pk=pk) for pk in {pk for pk, _ in shipped}}
    for n, (user_id, number) in enumerate(shipped):
        mode = "on" if n % 2 == 0 else "off"
        shipping.item_deliveries_record = on if mode == "on" else off  # type: ignore[assignment]
        start = time.perf_counter()
        order_delivery_confirm(consumer=users[user_id], order_number=number)
        timings[mode].append((time.perf_counter() - start) * 1000)
    shipping.item_deliveries_record = hook
    delivered = ItemDelivery.objects.filter(batch_id=batch_id).count()
    expected = args.prefilled + args.confirmations * args.items
    assert delivered == expected, (delivered, expected)

    print(f"\n{args.db}: {args.confirmations} confirmations each way, {args.items} items each, alternating")
    print(f"{'':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for mode in ("off", "on"):
        values = timings[mode]
        print(f"{mode:>6} {statistics.median(values):8.2f} {percentile(values, 0.99):8.2f} {max(values):8.2f}")
    added50 = statistics.median(timings["on"]) - statistics.median(timings["off"])
    added99 = percentile(timings["on"], 0.99) - percentile(timings["off"], 0.99)
    print(f"added  p50 {added50:+.2f} ms  p99 {added99:+.2f} ms  (goal p99 added <= 20 ms)")
    print(f"the hook alone, inside the 'on' calls: p50 {statistics.median(inside):.2f} ms, "
          f"p99 {percentile(inside, 0.99):.2f} ms, max {max(inside):.2f} ms")

    batch = Batch.objects.get(pk=batch_id)
    reads = []
    for _ in range(20):
        start = time.perf_counter()
        (result,) = promise_results_for_batch(batch=batch)
        reads.append((time.perf_counter() - start) * 1000)
    print(f"\nre-measuring the lot from stored rows (promise_results_for_batch, {result.delivered} delivered: "
          f"{result.kept} kept, {result.broken} broken, {result.unconfirmed} unconfirmed): "
          f"p50 {statistics.median(reads):.2f} ms, max {max(reads):.2f} ms")
    chunk = list(batch.items.order_by("pk").values_list("pk", flat=True)[:500])
    lines = []
    for _ in range(10):
        start = time.perf_counter()
        item_promise_lines(batch=batch, item_ids=chunk)
        lines.append((time.perf_counter() - start) * 1000)
    print(f"item lines for a publishing chunk of 500 items (item_promise_lines): p50 {statistics.median(lines):.2f} ms")


if __name__ == "__main__":
    main()
