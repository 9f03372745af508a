"""What refreshing the trust score adds to posting a review (issue 14; goal: p99 added ≤ 5 ms).

Fills (or reuses) the scratch database of bench/trust/recompute.py (it holds 2000 delivered, unreviewed lines),
writes the category means exactly (as the daily recompute leaves them in production), then posts `--posts` reviews
through the consumers' service (`reviews.services.review_post`), alternating: "off" posts only, "on" posts and
then runs the score refresh task synchronously, as the worker would. Reports p50/p99 of each, the p99 added, and
the p50/p99 of the refresh alone (timed inside the "on" posts: the added cost measured directly, without the
noise of subtracting two percentiles). Then signs the scores those refreshes left pending, as the every-minute
`trust-scores-publish` job would, and reports its time per score (ADR 0051).

    python bench/trust/review_refresh.py --db sqlite --scale 0.1 --posts 400
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_open, filled, post_lines_fill


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()
    database_open(db=args.db, scale=args.scale, name="trust")
    from django.db import connection
    from django.db.models import Exists, OuterRef

    from xinren.accounts.models import User
    from xinren.catalog.models import Product
    from xinren.orders.models import OrderLine
    from xinren.reviews.models import Review
    from xinren.reviews.services import review_post
    from xinren.trust.scores.inputs import category_means
    from xinren.trust.scores.services import scores_publish_pending, scores_recompute
    from xinren.trust.scores.tasks import score_after_review_task

    filled(
        products=int(100_000 * args.scale),
        merchants=max(10, int(1000 * args.scale)),
        reviews=int(1_000_000 * args.scale),
        claims=int(100_000 * args.scale),
        post_lines=max(2000, args.posts),
    )
    post_lines_fill(args.posts)
    category_means(Product.objects.order_by().values_list("category", flat=True).distinct(), exact=True)
    reviewed = Exists(Review.objects.filter(line_id=OuterRef("pk")))  # NOT IN would not be hashed on PostgreSQL
    lines = list(OrderLine.objects.exclude(reviewed).order_by("pk").values_list("pk", "order__consumer_id"))
    # Distinct texts: one text (or a few phrases reshuffled) posted hundreds of times is flagged as copied by the
    # integrity checks, and a flagged review does not count, so it would take the full refresh instead. Random CJK
    # characters share no shingles, as independent buyers' words mostly do not.
    # Seeded by the reviews already there: a rerun on the same scratch database must not post the last run's texts.
    rng = random.Random(20261207 + Review.objects.count())
    # Every product to be reviewed has its stored score, as in production (the daily recompute leaves one).
    posted = [line_id for line_id, _ in lines[: args.posts]]
    scores_recompute(products=Product.objects.filter(pk__in=OrderLine.objects.filter(pk__in=posted).values("product_id")))
    timings: dict[str, list[float]] = {"off": [], "on": [], "refresh": []}
    for n, (line_id, consumer_id) in enumerate(lines[: args.posts]):
        mode = "on" if n % 2 else "off"
        consumer = User.objects.get(pk=consumer_id)
        started = time.perf_counter()
        text = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(40))
        review = review_post(consumer=consumer, line_id=line_id, stars=rng.choice([3, 4, 5]), text=text)
        if mode == "on":
            posted_at = time.perf_counter()
            score_after_review_task.call(review_id=review.pk)
            timings["refresh"].append((time.perf_counter() - posted_at) * 1000)
        timings[mode].append((time.perf_counter() - started) * 1000)
    report = {
        mode: {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p99_ms": round(percentile(ms, 0.99), 2)}
        for mode, ms in timings.items()
    }
    report["p99_added_ms"] = round(report["on"]["p99_ms"] - report["off"]["p99_ms"], 2)
    report["p50_added_ms"] = round(report["on"]["p50_ms"] - report["off"]["p50_ms"], 2)
    started = time.perf_counter()
    published = scores_publish_pending()
    elapsed = (time.perf_counter() - started) * 1000
    report["publish"] = {"scores": published, "ms": round(elapsed, 1),
                         "ms_per_score": round(elapsed / max(published, 1), 2)}  # fmt: skip
    print(
        json.dumps(
            {"db": connection.vendor, "scale": args.scale, "reviews_in_db": Review.objects.count(), **report},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
