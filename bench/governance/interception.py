"""Interception on the order path with 1,000,000 blacklist entries: what screening adds to placing an order.

One run, one fresh database (blacklist_bench on $BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432):

  load    1,000,000 live entries (phones, devices, USCCs, ID numbers, bank accounts in turn), each value's keyed
          hash computed as `blacklist_add` computes it, written with COPY; then ANALYZE.
  world   a platform, a merchant with a product in stock, `--consumers` consumers (not listed).
  timed   `--orders` calls of the real `order_place` (web path: the buyer's phone, the recipient's phone, a device
          id, the merchant's USCC screened), alternating interception on and off call by call
          (settings.XINREN_INTERCEPTION), so both see the same database and cache state; then `screen` alone.

Prints p50/p99 of order placement on and off, the p99 added (goal ≤ 2 ms), and p50/p99 of one `screen` call.

Usage: python bench/governance/interception.py [--entries 1000000] [--orders 1000] [--keep]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB = "blacklist_bench"
KINDS = ("phone", "device", "uscc", "id_number", "bank_account")


def use_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{PG_URL}/{DB}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.XINREN_ORDERS_PER_HOUR = 1_000_000_000
    call_command("migrate", verbosity=0)


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")


def load(entries: int) -> float:
    """COPY `entries` live entries; returns seconds. Values are synthetic and never collide with the world's."""
    from django.db import connection

    from xinren.accounts.keyed import identity_key, normalise
    from xinren.accounts.models import BlacklistEntry

    key = identity_key()
    start = time.perf_counter()
    buffer = io.StringIO()
    for n in range(entries):
        kind = KINDS[n % len(KINDS)]
        value = {
            "phone": f"15{n:09d}",
            "device": f"cookie:bench-{n}",
            "uscc": f"BENCH{n:013d}",
            "id_number": f"{n:017d}X",
            "bank_account": f"62{n:017d}",
        }[kind]
        digest = hmac.new(key, f"{kind}:{normalise(kind, value)}".encode(), hashlib.sha256).hexdigest()
        ends, created = "2099-01-01 00:00:00+00", "2026-01-01 00:00:00+00"
        buffer.write(f"{kind}\t{digest}\t****{value[-4:]}\tbench\t{ends}\t{created}\t\\N\t\\N\t\t\\N\n")
    buffer.seek(0)
    table = BlacklistEntry._meta.db_table
    columns = "kind, value_hash, hint, reason, ends_at, created_at, lifted_at, lifted_by_id, lift_reason, created_by_id"
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - start


def world(consumers: int) -> tuple[list[object], object]:
    from tests.factories import OrganizationFactory, ProductFactory
    from xinren.accounts.choices import OrganizationKind
    from xinren.accounts.consumers import consumer_signup
    from xinren.catalog.choices import ProductCategory
    from xinren.orders.models import Offer

    OrganizationFactory(name="信任平台运营中心", slug="xinren", kind=OrganizationKind.PLATFORM, uscc=None)
    merchant = OrganizationFactory(slug="bench-tea", name="普洱茶铺", kind=OrganizationKind.MERCHANT)
    product = ProductFactory(merchant=merchant, name="普洱生茶 357g", category=ProductCategory.TEA)
    Offer.objects.create(merchant=merchant, product=product, price_fen=26800, stock=100_000_000)
    users = [consumer_signup(phone=f"1370000{n:04d}", password="bench-password-1") for n in range(consumers)]
    return users, product


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=1000, help="orders per mode (on, off)")
    parser.add_argument("--consumers", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    use_database()
    from django.conf import settings

    from xinren.accounts.blacklist import screen
    from xinren.accounts.models import BlacklistEntry, Interception
    from xinren.orders.services import LineRequest, order_place

    seconds = load(args.entries)
    print(f"loaded {BlacklistEntry.objects.count():,} entries in {seconds:.1f} s")
    users, product = world(args.consumers)
    timings: dict[bool, list[float]] = {True: [], False: []}
    for n in range(2 * args.orders + 40):
        on = n % 2 == 0
        settings.XINREN_INTERCEPTION = on
        user = users[n % len(users)]
        start = time.perf_counter()
        order_place(
            consumer=user,
            lines=[LineRequest(product_id=product.pk, quantity=1)],  # type: ignore[attr-defined]
            recipient_name="王小明",
            recipient_phone="13900001111",
            shipping_address="云南省昆明市五华区青年路 100 号",
            device=f"cookie:buyer-{n % 97}",
        )
        if n >= 40:  # the first 20 of each are warm-up
            timings[on].append((time.perf_counter() - start) * 1000)
    settings.XINREN_INTERCEPTION = True
    screens = []
    for n in range(args.orders):
        start = time.perf_counter()
        screen(
            stage="order",
            entities={
                "phone": ["13700000001", "13900001111"],
                "device": f"cookie:buyer-{n}",
                "uscc": "91530100MA6K00000X",
            },
        )
        screens.append((time.perf_counter() - start) * 1000)
    assert Interception.objects.count() == 0
    for label, on in (("on ", True), ("off", False)):
        values = timings[on]
        print(
            f"order_place interception {label}: n={len(values)} p50={percentile(values, 0.5):.2f} ms "
            f"p99={percentile(values, 0.99):.2f} ms mean={statistics.fmean(values):.2f} ms"
        )
    added = percentile(timings[True], 0.99) - percentile(timings[False], 0.99)
    added50 = percentile(timings[True], 0.5) - percentile(timings[False], 0.5)
    print(f"added by interception: p50 {added50:+.2f} ms, p99 {added:+.2f} ms (goal p99 ≤ 2 ms)")
    print(
        f"screen alone (4 identifiers, 1 query): p50={percentile(screens, 0.5):.3f} ms "
        f"p99={percentile(screens, 0.99):.3f} ms"
    )
    if not args.keep:
        drop_database()


if __name__ == "__main__":
    main()
