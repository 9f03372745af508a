"""Full recompute of every product's trust score (issue 14): products/s and seconds at 10k, 30k and 100k products,
with the slope (s per 1k products) and R² of the linear fit.

Fills a scratch database once (100k products over 1k merchants and the catalog's categories, 1M verified reviews,
100k after-sale claims with decisions; all times `--scale`), then times `scores_recompute` over the first 10k, 30k
and 100k products (each run rewrites its products' rows; the category means are computed once per run, exactly).
The database is kept (var/bench/trust-<scale>.sqlite3, or DATABASE_URL) and reused by review_refresh.py.

    python bench/trust/recompute.py --db sqlite --scale 0.1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_trust python bench/trust/recompute.py --db postgres
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import database_open, filled

SIZES = (10_000, 30_000, 100_000)


def fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least squares y = a + b·x: (a, b, R²)."""
    n = len(points)
    mx, my = sum(x for x, _ in points) / n, sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    b = sxy / sxx
    a = my - b * mx
    total = sum((y - my) ** 2 for _, y in points)
    residual = sum((y - a - b * x) ** 2 for x, y in points)
    return a, b, 1 - residual / total if total else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    database_open(db=args.db, scale=args.scale, name="trust")
    from django.db import connection

    from xinren.catalog.models import Product
    from xinren.trust.models import ProductScore
    from xinren.trust.scores.services import scores_recompute

    products = int(100_000 * args.scale)
    manifest = filled(
        products=products,
        merchants=max(10, int(1000 * args.scale)),
        reviews=int(1_000_000 * args.scale),
        claims=int(100_000 * args.scale),
        post_lines=2000,
    )
    ids = list(Product.objects.filter(name__startswith="压测商品").order_by("pk").values_list("pk", flat=True))
    results = []
    for size in (int(s * args.scale) for s in SIZES):
        chosen = Product.objects.filter(pk__gte=ids[0], pk__lte=ids[size - 1])
        ProductScore.objects.filter(product__in=chosen).delete()
        started = time.perf_counter()
        count = scores_recompute(products=chosen)
        seconds = time.perf_counter() - started
        results.append({"products": count, "seconds": round(seconds, 2), "products_per_s": round(count / seconds, 1)})
        print(json.dumps(results[-1]), flush=True)
    _a, slope, r2 = fit([(r["products"] / 1000, r["seconds"]) for r in results])
    print(
        json.dumps(
            {
                "db": connection.vendor,
                "scale": args.scale,
                "fill": manifest.get("timings_s", "reused"),
                "claims": manifest.get("claims"),
                "runs": results,
                "slope_s_per_1k": round(slope, 3),
                "r2": round(r2, 4),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
