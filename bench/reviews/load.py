"""Fill a database with N reviews, fast, for the reviews/community benchmark (bench/reviews/run.py).

Migrates the database named by DATABASE_URL (SQLite file or PostgreSQL), then writes realistically shaped rows
with raw SQL: merchants and products through the ORM (small), then consumers, delivered orders with one line
each, reviews (MinHash signatures included, spread over two years, ids rising with time) with their LSH band rows
(16 per review, as review_post writes them), day-7 diaries on 10%,
quality scores on all, 2% folded, 0.5% with an open integrity flag; plus `--post-lines` delivered lines not yet
reviewed (one per fresh consumer) for the posting benchmark. SQLite gets `executemany`, PostgreSQL `COPY`.
Leaf hashes are random: this database is for load, not a valid ledger. Writes a manifest JSON for run.py.

    DATABASE_URL=sqlite:////work/main/var/bench/reviews.sqlite3 python bench/reviews/load.py --reviews 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")

import django

django.setup()

from biip.checksums import gs1_standard_check_digit  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from xinren.accounts.choices import OrganizationKind  # noqa: E402
from xinren.accounts.consumers import consumer_public_id  # noqa: E402
from xinren.accounts.models import Organization, User  # noqa: E402
from xinren.accounts.uscc import uscc_check_char  # noqa: E402
from xinren.catalog.choices import ProductCategory, ProductStatus  # noqa: E402
from xinren.catalog.models import Product  # noqa: E402
from xinren.community import quality  # noqa: E402
from xinren.community.models import QualityScore  # noqa: E402
from xinren.orders.choices import OrderStatus  # noqa: E402
from xinren.orders.models import Offer, Order, OrderLine  # noqa: E402
from xinren.reviews import minhash  # noqa: E402
from xinren.reviews.choices import FlagReason, FlagStatus, ReviewStatus  # noqa: E402
from xinren.reviews.models import DiaryEntry, Flag, Review, ReviewBand  # noqa: E402

CHUNK = 20_000
PRICE = 9900
OPENINGS = ["收到了", "第二次买", "给家里老人买的", "朋友推荐的", "活动时下单", "看了溯源记录才买的",
            "出差回来发现到了"]
BODIES = [
    "包装很严实，冰袋还没化", "个头均匀，没有碎的", "味道比超市的浓", "有一点点压坏，问题不大", "物流三天到",
    "扫码能看到采摘时间和地点", "炒肉特别香", "泡了两泡还有味道", "放冰箱冷藏了5天还新鲜", "分量足，500克只多不少",
    "价格稍贵但放心", "和详情页描述一致", "孩子很喜欢吃", "第一次吃这种，口感很特别", "客服回复很快",
]
CLOSINGS = ["会回购", "推荐", "一般般吧", "还可以", "下次试试别的规格", "好评", "希望保持"]


def _db_value(field: models.Field[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


class Table:
    """Raw inserts into one model's table: given columns per row, every other column gets its field default."""

    def __init__(self, model: type[models.Model], given: list[str]) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.name not in given)]
        by_name = {f.name: f for f in fields} | {f.attname: f for f in fields}
        self.given = [by_name[name] for name in given]
        self.rest = [f for f in fields if f not in self.given]
        self.defaults = tuple(_db_value(f, f.get_default()) for f in self.rest)
        self.columns = [f.column for f in self.given + self.rest]
        self.table = model._meta.db_table

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Insert rows (values of the given columns, already in database form); returns how many."""
        count = 0
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row + self.defaults)
            if len(batch) >= CHUNK:
                count += self._flush(batch)
                batch = []
        return count + self._flush(batch)

    def _flush(self, batch: list[tuple[Any, ...]]) -> int:
        if not batch:
            return 0
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {connection.ops.quote_name(self.table)} ({quoted}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({quoted}) VALUES ({marks})", batch)
        return len(batch)


def _at(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _sequence_reset(*models_: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def _next_id(model: type[models.Model]) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def text_pool(size: int, rng: random.Random) -> list[tuple[str, str]]:
    """Review texts and their MinHash signatures (JSON), computed once and reused."""
    pool = []
    for _ in range(size):
        body = "，".join(rng.sample(BODIES, rng.randint(2, 5)))
        text = f"{rng.choice(OPENINGS)}，{body}，{rng.choice(CLOSINGS)}。"
        pool.append((text, json.dumps(minhash.signature(text), separators=(",", ":"))))
    return pool


def review_bands(pool: list[tuple[str, str]]) -> int:
    """The LSH band rows of every loaded review (ReviewBand, 16 per review, as review_post writes them): band hashes
    computed once per pool text, then joined to the reviews by text in one INSERT … SELECT. The lookup index is
    built after the rows are in and, on PostgreSQL, the foreign key checked once at the end, not row by row."""
    table, index = ReviewBand._meta.db_table, "review_band_lookup"
    bands = {text: minhash.band_hashes(json.loads(signature)) for text, signature in pool}
    rows = [(text, band, value) for text, pairs in bands.items() for band, value in pairs]
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_pool_band (text text, band smallint, hash bigint)")
        cursor.executemany("INSERT INTO bench_pool_band VALUES (%s, %s, %s)", rows)
        cursor.execute("CREATE INDEX bench_pool_band_text ON bench_pool_band (text)")
        cursor.execute(f"DROP INDEX {index}")
        foreign_keys: list[tuple[str, str]] = []
        if postgres:
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           f"WHERE conrelid = '{table}'::regclass AND contype = 'f'")
            foreign_keys = list(cursor.fetchall())
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        cursor.execute(
            f"INSERT INTO {table} (review_id, band, hash, consumer_id, created_at) "
            "SELECT r.id, p.band, p.hash, r.consumer_id, r.created_at "
            f"FROM {Review._meta.db_table} r JOIN bench_pool_band p ON p.text = r.text"
        )
        count = cursor.rowcount
        cursor.execute(f"CREATE INDEX {index} ON {table} (band, hash, created_at)")
        for name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        cursor.execute("DROP TABLE bench_pool_band")
    return count


def merchants_and_products(merchants: int, products: int, rng: random.Random) -> list[Product]:
    orgs = []
    for n in range(merchants):
        body = f"91530100MB{n:07d}"
        orgs.append(Organization(name=f"压测商家{n}", slug=f"bench-m{n}", kind=OrganizationKind.MERCHANT,
                                 uscc=body + uscc_check_char(body), region="云南省"))
    Organization.objects.bulk_create(orgs, batch_size=1000)
    orgs = list(Organization.objects.filter(slug__startswith="bench-m").order_by("pk"))
    if not Organization.objects.filter(kind=OrganizationKind.PLATFORM).exists():
        Organization.objects.create(name="信任平台", slug="xinren", kind=OrganizationKind.PLATFORM)
    categories = [c for c in ProductCategory.values if c != ProductCategory.OTHER]
    rows = []
    for n in range(products):
        payload = f"0691{n:09d}"
        rows.append(Product(merchant=orgs[n % len(orgs)], gtin=payload + str(gs1_standard_check_digit(payload)),
                            name=f"压测商品{n}", category=categories[n % len(categories)], origin_region="云南省",
                            status=ProductStatus.ACTIVE))
    Product.objects.bulk_create(rows, batch_size=1000)
    made = list(Product.objects.filter(name__startswith="压测商品").order_by("pk"))
    Offer.objects.bulk_create([Offer(merchant_id=p.merchant_id, product=p, price_fen=PRICE, stock=10**6)
                               for p in made], batch_size=1000)
    return made


def load(*, reviews: int, consumers: int, post_lines: int, seed: int = 2026) -> dict[str, Any]:
    rng = random.Random(seed)
    now = timezone.now()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started

    mark = time.perf_counter()
    with transaction.atomic():
        products = merchants_and_products(max(10, reviews // 10_000), max(100, reviews // 1000), rng)
    offers = dict(Offer.objects.filter(product__in=products).values_list("product_id", "pk"))
    timings["catalog"] = time.perf_counter() - mark

    mark = time.perf_counter()
    pool = text_pool(min(5000, max(100, reviews // 200)), rng)
    timings["minhash_pool"] = time.perf_counter() - mark

    first_user = _next_id(User)
    users = Table(User, ["id", "username", "password", "phone", "display_name", "date_joined"])
    joined = _at(now - dt.timedelta(days=900))
    user_count = consumers + post_lines

    def user_rows() -> Iterator[tuple[Any, ...]]:
        for n in range(user_count):
            phone = f"19{n:09d}"
            yield (first_user + n, phone, "!", phone, f"{phone[:3]}****{phone[-4:]}", joined)

    mark = time.perf_counter()
    with transaction.atomic():
        users.insert(user_rows())
    timings["users"] = time.perf_counter() - mark
    pseudonyms = [consumer_public_id(User(pk=first_user + n)) for n in range(consumers)]

    orders = Table(Order, ["id", "number", "consumer_id", "merchant_id", "status", "total_fen", "recipient_name",
                           "recipient_phone", "shipping_address", "placed_at", "paid_at", "shipped_at",
                           "delivered_at", "created_at", "updated_at"])
    lines = Table(OrderLine, ["id", "order_id", "product_id", "offer_id", "product_name", "gtin", "unit_price_fen",
                              "quantity", "total_fen"])
    review_table = Table(Review, ["id", "line_id", "consumer_id", "product_id", "merchant_id", "reviewer", "stars",
                                  "text", "tags", "verified_purchase", "status", "fold_reason", "folded_at",
                                  "minhash", "ledger_leaf_hash", "created_at"])
    diaries = Table(DiaryEntry, ["review_id", "milestone", "text", "ledger_leaf_hash", "created_at"])
    scores = Table(QualityScore, ["review_id", "score", "version", "components", "inputs", "computed_at"])
    flags = Table(Flag, ["reason", "review_id", "details", "status", "created_at"])
    first_order, first_review = _next_id(Order), _next_id(Review)
    span = dt.timedelta(days=730).total_seconds()
    times = sorted(rng.random() * span for _ in range(reviews))
    plan = []  # (review time, product, consumer index, stars, pool index)
    for i, offset in enumerate(times):
        plan.append((now - dt.timedelta(seconds=span - offset + 3600), products[rng.randrange(len(products))],
                     rng.randrange(consumers), rng.choices((1, 2, 3, 4, 5), (4, 3, 8, 25, 60))[0],
                     rng.randrange(len(pool)), i))

    def order_rows() -> Iterator[tuple[Any, ...]]:
        for at, product, consumer, _stars, _text, i in plan:
            placed = at - dt.timedelta(days=rng.randint(3, 12))
            delivered = at - dt.timedelta(days=1)
            yield (first_order + i, f"B{first_order + i:015d}", first_user + consumer, product.merchant_id,
                   OrderStatus.DELIVERED, PRICE, "压测", "13900000000", "云南省昆明市", _at(placed),
                   _at(placed), _at(placed + dt.timedelta(hours=8)), _at(delivered), _at(placed), _at(delivered))

    def line_rows(base: int, items: Iterable[tuple[int, Product]]) -> Iterator[tuple[Any, ...]]:
        for offset, product in items:
            yield (base + offset, base + offset, product.pk, offers[product.pk], product.name, product.gtin,
                   PRICE, 1, PRICE)

    def review_rows() -> Iterator[tuple[Any, ...]]:
        for at, product, consumer, stars, text_index, i in plan:
            text, signature = pool[text_index]
            folded = rng.random() < 0.02
            yield (first_review + i, first_order + i, first_user + consumer, product.pk, product.merchant_id,
                   pseudonyms[consumer], stars, text, "[]", True,
                   ReviewStatus.FOLDED if folded else ReviewStatus.VISIBLE,
                   "待平台审核：与其他账号的评价高度相似" if folded else "", _at(at) if folded else None,
                   signature, f"{rng.getrandbits(256):064x}", _at(at))

    def diary_rows() -> Iterator[tuple[Any, ...]]:
        for at, *_rest, i in plan:
            if i % 10 == 3 and at + dt.timedelta(days=7) < now:
                yield (first_review + i, 7, "用了一周，还是很好，没有变质。", f"{i:064x}",
                       _at(at + dt.timedelta(days=7)))

    scored: dict[tuple[int, bool], tuple[Any, ...]] = {}
    computed_at = _at(now)

    def score_rows() -> Iterator[tuple[Any, ...]]:
        for *_head, text_index, i in plan:
            key = (text_index, i % 10 == 3)
            if key not in scored:
                result = quality.quality_compute(quality.QualityInputs(
                    text=pool[text_index][0], diary_milestones=(7,) if key[1] else ()))
                scored[key] = (result.score, result.version, json.dumps(result.components),
                               json.dumps(result.inputs, ensure_ascii=False), computed_at)
            yield (first_review + i, *scored[key])

    def flag_rows() -> Iterator[tuple[Any, ...]]:
        for at, *_rest, i in plan:
            if i % 200 == 7:
                yield (FlagReason.NEW_ACCOUNT_BURST, first_review + i, "{}", FlagStatus.OPEN, _at(at))

    counts: dict[str, int] = {}
    for name, table, rows in (
        ("orders", orders, order_rows()),
        ("lines", lines, line_rows(first_order, ((p[5], p[1]) for p in plan))),
        ("reviews", review_table, review_rows()),
        ("diaries", diaries, diary_rows()),
        ("quality_scores", scores, score_rows()),
        ("flags", flags, flag_rows()),
    ):
        mark = time.perf_counter()
        with transaction.atomic():
            counts[name] = table.insert(rows)
        timings[name] = time.perf_counter() - mark

    mark = time.perf_counter()
    with transaction.atomic():
        counts["review_bands"] = review_bands(pool)
    timings["review_bands"] = time.perf_counter() - mark

    # Delivered, unreviewed lines for the posting benchmark: one per fresh consumer (the hourly limit never bites).
    mark = time.perf_counter()
    post_base = first_order + reviews
    post_plan = [(n, products[rng.randrange(len(products))]) for n in range(post_lines)]
    with transaction.atomic():
        orders.insert(
            (post_base + n, f"P{post_base + n:015d}", first_user + consumers + n, product.merchant_id,
             OrderStatus.DELIVERED, PRICE, "压测", "13900000000", "云南省昆明市", _at(now - dt.timedelta(days=3)),
             _at(now - dt.timedelta(days=3)), _at(now - dt.timedelta(days=2)), _at(now - dt.timedelta(days=1)),
             _at(now - dt.timedelta(days=3)), _at(now - dt.timedelta(days=1)))
            for n, product in post_plan
        )
        lines.insert(line_rows(post_base, post_plan))
    timings["post_lines"] = time.perf_counter() - mark
    _sequence_reset(User, Order, OrderLine, Review, DiaryEntry, QualityScore, Flag)
    mark = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return {
        "vendor": connection.vendor, "reviews": reviews, "consumers": consumers, "counts": counts,
        "timings_s": {k: round(v, 1) for k, v in timings.items()},
        "post": [{"consumer_id": first_user + consumers + n, "line_id": post_base + n} for n, _p in post_plan],
        "products": [p.pk for p in products[:50]],
        "categories": sorted({p.category for p in products}),
    }


def main(argv: list[str] | None = None, report: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=20_000)
    parser.add_argument("--consumers", type=int, default=0, help="default: reviews ÷ 5")
    parser.add_argument("--post-lines", type=int, default=2000)
    parser.add_argument("--manifest", default="var/bench/reviews-manifest.json")
    args = parser.parse_args(argv)
    result = load(reviews=args.reviews, consumers=args.consumers or max(10, args.reviews // 5),
                  post_lines=args.post_lines)
    Path(args.manifest).parent.mkdir(parents=True, exist_ok=True)
    Path(args.manifest).write_text(json.dumps(result, indent=1))
    report(json.dumps({k: v for k, v in result.items() if k not in ("post", "products")}, ensure_ascii=False))


if __name__ == "__main__":
    main()
