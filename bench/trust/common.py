"""Shared by the trust-score benchmarks: open the database named on the command line and fill it fast.

The fill reuses the reviews benchmark's loader (bench/reviews/load.py: raw executemany / COPY inserts) with more
products and merchants, then adds after-sale claims with decisions (raw inserts too).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def database_open(*, db: str, scale: float, name: str) -> None:
    """Point Django at a scratch database (SQLite file under var/bench, or DATABASE_URL for PostgreSQL)."""
    if db == "sqlite":
        path = ROOT / "var" / "bench" / f"{name}-{scale:g}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    elif "DATABASE_URL" not in os.environ or not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("--db postgres needs DATABASE_URL=postgres://...")
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench" / "reviews")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
    import django

    django.setup()


def filled(*, products: int, merchants: int, reviews: int, claims: int, post_lines: int) -> dict[str, Any]:
    """Fill the database unless it already holds the benchmark's products; returns the loader's manifest."""
    import load as review_load  # bench/reviews/load.py
    from django.core.management import call_command

    from xinren.catalog.models import Product

    call_command("migrate", verbosity=0)
    from xinren.lab.models import LabReport

    if Product.objects.filter(name__startswith="压测商品").count() >= products:
        if not LabReport.objects.exists():
            lab_fill(products // 100)
        return {"reused": True}
    original = review_load.merchants_and_products
    review_load.merchants_and_products = lambda _m, _p, rng: original(merchants, products, rng)
    started = time.perf_counter()
    manifest = review_load.load(reviews=reviews, consumers=max(10, reviews // 5), post_lines=post_lines)
    manifest["claims"] = claims_fill(claims, review_load)
    manifest["lab_reports"] = lab_fill(products // 100)
    manifest["fill_s"] = round(time.perf_counter() - started, 1)
    return manifest


def claims_fill(count: int, review_load: Any) -> int:
    """`count` after-sale claims on reviewed lines, each with one decision: 60% upheld, 10% of those by an operator
    after an escalation, the rest refused."""
    from django.db import transaction

    from xinren.accounts.models import Organization
    from xinren.aftersales.choices import DecidedBy, Kind, Level, Outcome, Status
    from xinren.aftersales.models.requests import AfterSaleDecision, AfterSaleRequest
    from xinren.orders.models import OrderLine

    rng = random.Random(14)
    platform = Organization.objects.filter(slug="xinren").values_list("pk", flat=True).first()
    lines = list(
        OrderLine.objects.order_by("pk").values_list("pk", "order_id", "order__consumer_id", "order__merchant_id")[
            :count
        ]
    )
    requests = review_load.Table(
        AfterSaleRequest,
        [
            "id",
            "reference",
            "consumer_id",
            "merchant_id",
            "order_id",
            "line_id",
            "kind",
            "status",
            "reason",
            "amount_fen",
            "level",
            "escalated_at",
            "created_at",
            "updated_at",
        ],
    )
    decisions = review_load.Table(
        AfterSaleDecision,
        ["request_id", "decided_by", "organization_id", "outcome", "reason", "leaf_hash", "at", "amount_fen"],
    )
    at = review_load._at(dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    first = review_load._next_id(AfterSaleRequest)
    plan = [(first + n, line, rng.random()) for n, line in enumerate(lines)]
    kinds = [Kind.DAMAGED, Kind.QUALITY, Kind.MISSING]
    with transaction.atomic():
        requests.insert(
            (
                pk,
                f"AS{pk:012d}",
                consumer,
                merchant,
                order,
                line,
                kinds[pk % 3],
                Status.CLOSED,
                "压测",
                9900,
                Level.NORMAL,
                at if roll < 0.06 else None,
                at,
                at,
            )
            for pk, (line, order, consumer, merchant), roll in plan
        )
        decisions.insert(
            (
                pk,
                DecidedBy.OPERATOR if roll < 0.06 else DecidedBy.MERCHANT,
                platform if roll < 0.06 else merchant,
                Outcome.APPROVE if roll < 0.6 else Outcome.REFUSE,
                "压测",
                f"{pk:064x}",
                at,
                9900,
            )
            for pk, (_line, _order, _consumer, merchant), roll in plan
        )
    review_load._sequence_reset(AfterSaleRequest, AfterSaleDecision)
    return len(plan)


def lab_fill(count: int) -> int:
    """One lot with one lab report (every indicator of its category's table measured, not detected) on each of
    `count` products spread over the catalog."""
    import uuid

    from django.db import transaction

    from xinren.accounts.choices import OrganizationKind
    from xinren.accounts.models import Organization
    from xinren.accounts.uscc import uscc_check_char
    from xinren.catalog.models import Batch, Product
    from xinren.lab.models import LabMeasurement, LabReport
    from xinren.lab.thresholds import CURRENT_VERSION, limits_for

    products = list(Product.objects.filter(name__startswith="压测商品").order_by("pk"))
    chosen = products[:: max(1, len(products) // max(1, count))][:count]
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        lab, _ = Organization.objects.get_or_create(
            slug="bench-lab",
            defaults={"name": "压测检测机构", "kind": OrganizationKind.LAB, "region": "云南省",
                      "uscc": "12530100MB9999999" + uscc_check_char("12530100MB9999999")},
        )  # fmt: skip
        Batch.objects.bulk_create(
            [Batch(product=p, lot=f"L{p.pk}", production_date=now.date() - dt.timedelta(days=20), quantity=100)
             for p in chosen], batch_size=1000,
        )  # fmt: skip
        batches = {b.product_id: b for b in Batch.objects.filter(product__in=chosen)}
        reports = LabReport.objects.bulk_create(
            [LabReport(report_id=uuid.uuid4(), lab=lab, batch=batches[p.pk], accreditation="CNAS L0001",
                       sample_id=f"S{p.pk}", sampled_at=now - dt.timedelta(days=10), method="GB 2763",
                       table_version=CURRENT_VERSION, category=p.category, ledger_leaf_hash=f"{p.pk:064x}")
             for p in chosen], batch_size=1000,
        )  # fmt: skip
        measurements = [
            LabMeasurement(report=report, position=n, indicator=limit.indicator, value=None, not_detected=True,
                           unit=limit.unit)
            for report, p in zip(reports, chosen, strict=True)
            for n, limit in enumerate(limits_for(category=p.category).values())
        ]  # fmt: skip
        LabMeasurement.objects.bulk_create(measurements, batch_size=5000)
    return len(chosen)


def post_lines_fill(count: int) -> int:
    """Delivered, unreviewed order lines for the posting benchmark, one per fresh consumer (the loader makes them
    on a first fill; a database filled without them gets them here)."""
    from django.db import transaction
    from django.db.models import Exists, OuterRef

    from xinren.accounts.models import User
    from xinren.orders.choices import OrderStatus
    from xinren.orders.models import Offer, Order, OrderLine
    from xinren.reviews.models import Review

    have = OrderLine.objects.exclude(Exists(Review.objects.filter(line_id=OuterRef("pk")))).count()
    if have >= count:
        return 0
    offers = list(Offer.objects.select_related("product").order_by("pk")[: count - have])
    now = dt.datetime.now(dt.UTC)
    base = int(User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    with transaction.atomic():
        users = User.objects.bulk_create(
            # Buyers of long standing: hundreds of reviews an hour from accounts made today would be a new-account
            # burst (reviews/integrity.py), flagged, not counted, and refreshed the slow way.
            [User(username=f"18{n:09d}", password="!", phone=f"18{n:09d}", display_name=f"188****{n % 10000:04d}",
                  date_joined=now - dt.timedelta(days=400))
             for n in range(base, base + len(offers))]
        )  # fmt: skip
        orders = Order.objects.bulk_create(
            [Order(number=f"Q{base + n:015d}", consumer=user, merchant_id=offer.merchant_id,
                   status=OrderStatus.DELIVERED,
                   total_fen=offer.price_fen, recipient_name="压测", recipient_phone="13900000000",
                   shipping_address="云南省昆明市", placed_at=now - dt.timedelta(days=3),
                   paid_at=now - dt.timedelta(days=3), shipped_at=now - dt.timedelta(days=2),
                   delivered_at=now - dt.timedelta(days=1))
             for n, (user, offer) in enumerate(zip(users, offers, strict=True))]
        )  # fmt: skip
        OrderLine.objects.bulk_create(
            [OrderLine(order=order, product=offer.product, offer=offer, product_name=offer.product.name,
                       gtin=offer.product.gtin, unit_price_fen=offer.price_fen, quantity=1, total_fen=offer.price_fen)
             for order, offer in zip(orders, offers, strict=True)]
        )  # fmt: skip
    return len(offers)
