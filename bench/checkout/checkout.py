"""Cart checkout throughput on PostgreSQL with 16 concurrent buyers, as a ratio to bare inserts of the same rows.

One run, one fresh database (xinren_bench_checkout on $BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432):

  (b) checkout: 16 threads, each a buyer with its own connection, repeat: put 1–5 random lines in the cart (not
      timed), then `cart_checkout` (timed): lock the consumer and the offers by ascending id, check and take the
      stock, one order per merchant with its lines, status row, audit entry and expiry task, one combined payment
      with a share per order, empty the cart — one transaction. Products of two merchants; one hot product (100 in
      stock) is in about half the carts, so it sells out during the run and later checkouts that hold it are
      refused (out of stock) and write nothing.
  (a) bare inserts: the same 16 threads insert, for every checkout that succeeded in (b), the same business rows
      (one payment group, its orders, order lines and payment shares) with plain SQL `INSERT`s in one transaction
      per checkout — no locks, no checks, no audit, no tasks.

Prints checkouts/s for both, the ratio b/a, refusals, and the oversold count on the hot product (sold − 100 if
positive; must be 0), checked from the order lines written.

Usage: python bench/checkout/checkout.py [--buyers 16] [--checkouts 40]   (checkouts per buyer)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
HOT_STOCK = 100


def use_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS xinren_bench_checkout")
        conn.execute("CREATE DATABASE xinren_bench_checkout")
    os.environ["DATABASE_URL"] = f"{PG_URL}/xinren_bench_checkout"
    os.environ["XINREN_ORDERS_PER_HOUR"] = "1000000"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.XINREN_ORDERS_PER_HOUR = 1_000_000
    call_command("migrate", verbosity=0)


def world(buyers: int) -> tuple[list[int], list[int], int, dict[int, int]]:
    """Two merchants with 4 products each (one of them hot, 100 in stock), and `buyers` consumers with an
    address. Returns consumer ids, offer product ids, the hot product id, and each consumer's address id."""
    from tests.factories import OrganizationFactory, ProductFactory
    from xinren.accounts.choices import OrganizationKind
    from xinren.accounts.consumers import consumer_signup
    from xinren.orders.models import Offer
    from xinren.orders.services import address_create

    products = []
    for slug in ("bench-a", "bench-b"):
        merchant = OrganizationFactory(slug=slug, name=slug, kind=OrganizationKind.MERCHANT)
        for n in range(4):
            product = ProductFactory(merchant=merchant, name=f"{slug}-{n}")
            Offer.objects.create(merchant=merchant, product=product, price_fen=1000 + n, stock=10_000_000)
            products.append(product.pk)
    hot = products[0]
    Offer.objects.filter(product_id=hot).update(stock=HOT_STOCK)
    consumers, addresses = [], {}
    for n in range(buyers):
        user = consumer_signup(phone=f"1370000{n:04d}", password="bench-password-1")
        consumers.append(user.pk)
        addresses[user.pk] = address_create(
            consumer=user, recipient_name="买家", recipient_phone=f"1370000{n:04d}", region="上海市 浦东新区",
            detail="张杨路 500 号",
        ).pk
    return consumers, products, hot, addresses


def cart_fill(user, products: list[int], hot: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """1–5 lines through `cart_add`, as a shopper adds them (about half the carts get the hot product while it
    lasts: `cart_add` refuses it once it is sold out)."""
    from xinren.core.errors import DomainError
    from xinren.orders.models import CartLine
    from xinren.orders.services import cart_add

    CartLine.objects.filter(consumer=user).delete()
    others = [p for p in products if p != hot]
    count = rng.randint(1, 5)
    chosen = rng.sample(others, count - 1) + ([hot] if rng.random() < 0.5 else [rng.choice(others)])
    for product_id in dict.fromkeys(chosen):
        with contextlib.suppress(DomainError):
            cart_add(consumer=user, product_id=product_id, quantity=rng.randint(1, 2))


def run_checkouts(consumers: list[int], products: list[int], hot: int, addresses: dict[int, int], per_buyer: int):
    from django.db import OperationalError, connection

    from xinren.accounts.models import User
    from xinren.core.errors import DomainError
    from xinren.orders.services import cart_checkout

    barrier = threading.Barrier(len(consumers))
    busy: list[float] = []  # per buyer: seconds spent inside cart_checkout
    refused: list[str] = []
    ok_groups: list[int] = []
    lock = threading.Lock()

    def buyer(consumer_id: int, seed: int) -> None:
        rng = random.Random(seed)
        user = User.objects.get(pk=consumer_id)
        barrier.wait()
        spent = 0.0
        for n in range(per_buyer):
            cart_fill(user, products, hot, rng)
            start = time.perf_counter()
            try:
                group = cart_checkout(
                    consumer=user, address_id=addresses[consumer_id], client_token=f"{consumer_id}-{n}"
                )
            except DomainError as exc:
                with lock:
                    refused.append(exc.code)
            except OperationalError as exc:  # a deadlock would land here: counted, and the run goes on
                with lock:
                    refused.append(type(exc.__cause__).__name__)
            else:
                with lock:
                    ok_groups.append(group.pk)
            spent += time.perf_counter() - start
        with lock:
            busy.append(spent)
        connection.close()

    threads = [threading.Thread(target=buyer, args=(c, i)) for i, c in enumerate(consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Filling carts is not timed: a buyer's checkout time is the sum of its cart_checkout calls, and the run's
    # checkout time the mean over buyers (they ran side by side).
    return sum(busy) / len(busy), ok_groups, refused


def run_bare(ok_groups: list[int], threads_n: int) -> float:
    """Insert the same business rows as each successful checkout, with plain SQL, one transaction each."""
    from django.db import connection, transaction

    from xinren.orders.models import Order, OrderLine, Payment, PaymentGroup

    plans = []
    for group in PaymentGroup.objects.filter(pk__in=ok_groups).order_by("pk"):
        orders = list(Order.objects.filter(payment_group=group).order_by("pk").values())
        lines = {o["id"]: list(OrderLine.objects.filter(order_id=o["id"]).values()) for o in orders}
        payments = {p["order_id"]: p for p in Payment.objects.filter(group=group).values()}
        plans.append((PaymentGroup.objects.filter(pk=group.pk).values().get(), orders, lines, payments))
    chunks = [plans[i::threads_n] for i in range(threads_n)]
    barrier = threading.Barrier(threads_n)
    counter = iter(range(10**9))
    lock = threading.Lock()

    def fresh() -> int:
        with lock:
            return next(counter)

    def insert(table: str, row: dict, drop_id: bool = True) -> int:
        row = {k: v for k, v in row.items() if not (drop_id and k == "id")}
        cols = ", ".join(f'"{k}"' for k in row)
        marks = ", ".join(["%s"] * len(row))
        with connection.cursor() as cursor:
            cursor.execute(f'INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING id', list(row.values()))
            return int(cursor.fetchone()[0])

    def worker(chunk: list) -> None:
        barrier.wait()
        for group, orders, lines, payments in chunk:
            n = fresh()
            with transaction.atomic():
                gid = insert("orders_paymentgroup", {**group, "reference": f"b{n}", "idempotency_key": f"b{n}",
                                                     "client_token": f"b{n}"})
                for order in orders:
                    oid = insert("orders_order", {**order, "number": f"B{n}-{order['id']}", "payment_group_id": gid})
                    for line in lines[order["id"]]:
                        insert("orders_orderline", {**line, "order_id": oid})
                    payment = payments[order["id"]]
                    key = f"b{n}-{order['id']}"
                    insert("orders_payment", {**payment, "order_id": oid, "group_id": gid, "reference": key,
                                              "idempotency_key": key})
        connection.close()

    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--checkouts", type=int, default=40, help="checkouts per buyer")
    args = parser.parse_args()
    use_database()
    consumers, products, hot, addresses = world(args.buyers)
    wall_b, ok_groups, refused = run_checkouts(consumers, products, hot, addresses, args.checkouts)

    from django.db.models import Sum

    from xinren.orders.models import Offer, Order, OrderLine

    rows = Order.objects.filter(payment_group_id__in=ok_groups).count()
    lines = OrderLine.objects.filter(order__payment_group_id__in=ok_groups).count()
    sold = OrderLine.objects.filter(product_id=hot).aggregate(total=Sum("quantity"))["total"] or 0
    left = Offer.objects.get(product_id=hot).stock
    wall_a = run_bare(ok_groups, args.buyers)
    ok = len(ok_groups)
    print(f"buyers {args.buyers}, checkouts attempted {args.buyers * args.checkouts}, succeeded {ok}, "
          f"refused {len(refused)} ({', '.join(sorted(set(refused)))})")
    print(f"rows per successful checkout: {rows / ok:.2f} orders, {lines / ok:.2f} lines (+1 group, 1 share/order)")
    print(f"(b) cart_checkout: {ok / wall_b:8.1f} checkouts/s  ({wall_b:.2f} s in checkout per buyer; "
          "refused ones not counted)")
    print(f"(a) bare inserts : {ok / wall_a:8.1f} checkouts/s  ({wall_a:.2f} s wall)")
    print(f"ratio b/a: {wall_a / wall_b:.3f}")
    print(f"hot product: {HOT_STOCK} in stock, sold {sold}, left {left}, oversold {max(0, sold - HOT_STOCK)}")
    assert sold + left == HOT_STOCK and sold <= HOT_STOCK, "oversold!"


if __name__ == "__main__":
    main()
