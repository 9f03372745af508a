"""The product page with 10k reviews: p99 of filtered review-list pages (keyset paging) against the unfiltered
first page, in one process, one run (issue 12; docs/reviews.md "Browsing reviews").

Builds (or reuses) one product with N reviews in the database named by DATABASE_URL — stars 60/25/8/3/4 % for
5..1, 30 % with a photo, 10 % with a day-7 diary, 2 % folded, 0–3 tags each from a vocabulary of 10, a quarter
of the reviewers with a nickname, spread over two years — through the ORM in bulk (leaf hashes are random: a load
database, not a valid ledger). Then requests `/shop/products/<id>/reviews/` with `django.test.Client` (full
middleware, view, template and ORM; no web server): the unfiltered first page (the baseline) and each filtered
page — 有图, 追评, 差评, 好评, 3 星, a common and a rare tag, 已折叠 — at its first page, at a middle cursor and at
its last page; the cases are interleaved round by round, after an untimed warm-up.

    DATABASE_URL=sqlite:////tmp/xinren_bench_browse.sqlite3 .venv/bin/python bench/reviews/browse.py --reviews 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from xinren.accounts.choices import OrganizationKind  # noqa: E402
from xinren.accounts.consumers import consumer_public_id  # noqa: E402
from xinren.accounts.models import Organization, User  # noqa: E402
from xinren.catalog.choices import ProductCategory, ProductStatus  # noqa: E402
from xinren.catalog.models import Product  # noqa: E402
from xinren.evidence.models import MediaFile  # noqa: E402
from xinren.orders.choices import OrderStatus  # noqa: E402
from xinren.orders.models import Offer, Order, OrderLine  # noqa: E402
from xinren.reviews import browse  # noqa: E402
from xinren.reviews.choices import ReviewStatus  # noqa: E402
from xinren.reviews.models import DiaryEntry, Review, ReviewMedia, ReviewTag  # noqa: E402

GTIN = "06970000100007"
TAGS = ["口感好", "新鲜", "包装完好", "物流快", "分量足", "性价比高", "会回购", "个头大", "有点贵", "压坏了"]
TAG_WEIGHTS = [30, 25, 20, 15, 10, 8, 6, 4, 2, 1]
NICKNAMES = ["王小明", "李雷", "韩梅梅", "Alice", "张三丰", "陈一", "赵敏", "Lucy"]
TEXTS = ["包装很严实，冰袋还没化", "个头均匀，没有碎的", "味道比超市的浓", "有一点点压坏，问题不大", "物流三天到",
         "扫码能看到采摘时间和地点", "炒肉特别香", "放冰箱冷藏了5天还新鲜", "价格稍贵但放心", "和详情页描述一致"]


def build(reviews: int, seed: int = 2026) -> Product:
    """One product with `reviews` reviews (and what they hang on); reused when it is already there."""
    call_command("migrate", verbosity=0)
    existing = Product.objects.filter(gtin=GTIN).first()
    if existing is not None and Review.objects.filter(product=existing).count() == reviews:
        return existing
    if existing is not None:
        raise SystemExit(f"{GTIN} holds another number of reviews: use a fresh database")
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        merchant = Organization.objects.create(name="压测菌菇店", slug="bench-browse", kind=OrganizationKind.MERCHANT,
                                               uscc="91530100MA6N000000"[:17] + "0")
        product = Product.objects.create(merchant=merchant, gtin=GTIN, name="压测野生菌 500g",
                                         category=ProductCategory.WILD_MUSHROOM, status=ProductStatus.ACTIVE,
                                         origin_region="云南楚雄")
        offer = Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=100)
        photo = MediaFile.objects.create(sha256="ab" * 32, kind="image", mime="image/jpeg", size=1000,
                                         original="bench/o.jpg", thumbnail="bench/t.jpg", display="bench/d.jpg")
        consumers = max(1, reviews // 4)
        users = User.objects.bulk_create([
            User(username=f"19{n:09d}", phone=f"19{n:09d}", password="!",
                 nickname=NICKNAMES[n % len(NICKNAMES)] if n % 4 == 0 else "")
            for n in range(consumers)
        ], batch_size=2000)
        span = dt.timedelta(days=730).total_seconds()
        times = sorted(now - dt.timedelta(seconds=span * rng.random() + 3600) for _ in range(reviews))
        orders = Order.objects.bulk_create([
            Order(number=f"BB{n:013d}", consumer=users[n % consumers], merchant=merchant,
                  status=OrderStatus.DELIVERED, total_fen=12800, recipient_name="压测", recipient_phone="13900000000",
                  shipping_address="云南省昆明市", placed_at=at - dt.timedelta(days=4),
                  delivered_at=at - dt.timedelta(days=1))
            for n, at in enumerate(times)
        ], batch_size=2000)
        lines = OrderLine.objects.bulk_create([
            OrderLine(order=order, product=product, offer=offer, product_name=product.name, gtin=GTIN,
                      unit_price_fen=12800, quantity=1, total_fen=12800)
            for order in orders
        ], batch_size=2000)
        rows = []
        for n, (at, line) in enumerate(zip(times, lines, strict=True)):
            user = users[n % consumers]
            tags = list(dict.fromkeys(rng.choices(TAGS, TAG_WEIGHTS, k=rng.choice((0, 1, 2, 3)))))
            rows.append(Review(
                line=line, consumer=user, product=product, merchant=merchant, reviewer=consumer_public_id(user),
                stars=rng.choices((5, 4, 3, 2, 1), (60, 25, 8, 3, 4))[0], text=f"{rng.choice(TEXTS)}（{n}）",
                tags=tags, status=ReviewStatus.FOLDED if rng.random() < 0.02 else ReviewStatus.VISIBLE,
                fold_reason="", has_media=rng.random() < 0.3, has_diary=rng.random() < 0.1,
                ledger_leaf_hash=f"{rng.getrandbits(256):064x}", created_at=at,
            ))
        made = Review.objects.bulk_create(rows, batch_size=2000)
        ReviewTag.objects.bulk_create([
            ReviewTag(review=review, product=product, tag=tag, status=review.status, created_at=review.created_at)
            for review in made for tag in review.tags
        ], batch_size=5000)
        ReviewMedia.objects.bulk_create(
            [ReviewMedia(review=review, media=photo, position=0) for review in made if review.has_media],
            batch_size=5000,
        )
        DiaryEntry.objects.bulk_create([
            DiaryEntry(review=review, milestone=7, text="用了一周，还是很好。", ledger_leaf_hash="0" * 63 + "1",
                       created_at=review.created_at + dt.timedelta(days=7))
            for review in made if review.has_diary
        ], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return product


def cursors(product: Product, review_filter: browse.ReviewFilter) -> dict[str, str]:
    """The cursors of a filter's middle page and of its last page (walking the pages once)."""
    seen, after = [], ""
    while True:
        page = browse.product_review_page(product_id=product.pk, review_filter=review_filter, after=after)
        if not page.next_cursor:
            break
        seen.append(page.next_cursor)
        after = page.next_cursor
    if not seen:
        return {"first": ""}
    return {"first": "", "middle": seen[len(seen) // 2], "last": seen[-1]}


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200, help="requests per case")
    args = parser.parse_args(argv)
    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    product = build(args.reviews)
    print(f"{connection.vendor}: {Review.objects.filter(product=product).count()} reviews, "
          f"{ReviewTag.objects.filter(product=product).count()} tag rows (ready in "
          f"{time.perf_counter() - started:.1f} s)")
    base = f"/shop/products/{product.pk}/reviews/"
    filters = {
        "有图": browse.ReviewFilter(kind=browse.MEDIA),
        "追评": browse.ReviewFilter(kind=browse.DIARY),
        "差评": browse.ReviewFilter(kind=browse.BAD),
        "好评": browse.ReviewFilter(kind=browse.GOOD),
        "3 星": browse.ReviewFilter(kind=browse.STARS, stars=3),
        "标签 口感好": browse.ReviewFilter(kind=browse.TAG, tag="口感好"),
        "标签 压坏了": browse.ReviewFilter(kind=browse.TAG, tag="压坏了"),
        "已折叠": browse.ReviewFilter(kind=browse.FOLDED),
    }
    cases: dict[str, str] = {"全部 first (baseline)": base}
    everything = cursors(product, browse.ReviewFilter())
    cases["全部 last"] = f"{base}{browse.ReviewFilter().query(after=everything['last'])}"
    for label, review_filter in filters.items():
        for depth, after in cursors(product, review_filter).items():
            cases[f"{label} {depth}"] = f"{base}{review_filter.query(after=after)}"
    client = Client()
    for url in cases.values():  # warm-up, untimed
        for _ in range(3):
            assert client.get(url).status_code == 200, url
    # As the deployed server does (deploy/gunicorn.conf.py pre_fork): what loading the app built is frozen out of
    # the garbage collector's full passes; each request's own objects are still collected.
    gc.freeze()
    timings: dict[str, list[float]] = {label: [] for label in cases}
    cpu: dict[str, list[float]] = {label: [] for label in cases}
    load_before = os.getloadavg()[0]
    pauses: list[float] = []  # the cyclic garbage collector's full (generation 2) passes during the timed rounds
    gc_started = [0.0]

    def gc_watch(phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") == 2:
            if phase == "start":
                gc_started[0] = time.perf_counter()
            else:
                pauses.append((time.perf_counter() - gc_started[0]) * 1000)

    gc.callbacks.append(gc_watch)
    for _ in range(args.rounds):
        for label, url in cases.items():
            mark, cpu_mark = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings[label].append((time.perf_counter() - mark) * 1000)
            cpu[label].append((time.process_time() - cpu_mark) * 1000)
            assert response.status_code == 200
    gc.callbacks.remove(gc_watch)
    base_label = "全部 first (baseline)"
    b99, c99 = p(timings[base_label], 0.99), p(cpu[base_label], 0.99)
    print(f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; {args.rounds} requests per case")
    print(f"{'case':<22} {'wall p50':>9} {'wall p99':>9} {'ratio':>6} {'CPU p50':>8} {'CPU p99':>8} {'ratio':>6}")
    worst = worst_cpu = 0.0
    for label, values in timings.items():
        p99, cpu99 = p(values, 0.99), p(cpu[label], 0.99)
        if label != base_label:
            worst, worst_cpu = max(worst, p99), max(worst_cpu, cpu99)
        print(f"{label:<22} {statistics.median(values):9.1f} {p99:9.1f} {p99 / b99:6.2f} "
              f"{statistics.median(cpu[label]):8.1f} {cpu99:8.1f} {cpu99 / c99:6.2f}")
    print(f"worst p99 of a filtered page: wall {worst:.1f} ms, CPU {worst_cpu:.1f} ms (goal ≤ 50 ms)")
    print(f"full garbage collections during the timed rounds: {len(pauses)}"
          + (f", {max(pauses):.1f} ms the longest" if pauses else ""))
    _report_queries(client, cases)


def _report_queries(client: Client, cases: dict[str, Any]) -> None:
    from django.test.utils import CaptureQueriesContext

    url = cases["全部 first (baseline)"]
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    print(f"queries per page: {len(captured.captured_queries)}")


if __name__ == "__main__":
    main()
