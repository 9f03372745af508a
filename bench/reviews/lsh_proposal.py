"""A measured proposal for the near-duplicate check: MinHash LSH bands in a table instead of a Python scan.

Today (reviews/integrity.py) each new review loads the MinHash signatures of the newest 5,000 reviews of the last
30 days and compares all 128 positions of each in Python. The proposal: store each signature as 16 bands of 8
values (one row per band: band number, a 63-bit hash of the 8 values, review id; index on (band, hash)); a new
review looks up its 16 band hashes, and only the reviews sharing a band are compared in full, with the same
threshold (estimated Jaccard ≥ 0.8). With 16×8 bands a pair at similarity 0.8 shares a band with probability
1 − (1 − 0.8⁸)¹⁶ ≈ 0.95, at 0.9 ≈ 0.9996, at 0.5 ≈ 0.06. It also drops the 5,000 cap: every review of the
30 days is indexed.

This script builds the band table for the last 30 days of a benchmark database (a TEMP table: nothing is left
behind), then times both lookups for the same new texts and reports whether they agree.

    DATABASE_URL=... python bench/reviews/lsh_proposal.py --texts 100
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from xinren.reviews import integrity, minhash  # noqa: E402
from xinren.reviews.models import Review  # noqa: E402

BANDS, ROWS = 16, 8
BODIES = ["包装很严实", "冰袋还没化", "个头均匀", "味道浓", "有点压坏", "物流三天到", "能看到采摘时间", "炒肉香",
          "泡了两泡还有味道", "冷藏了几天还新鲜", "分量足", "价格稍贵", "和描述一致", "孩子喜欢", "口感特别"]


def band_hashes(signature: list[int]) -> list[tuple[int, int]]:
    out = []
    for band in range(BANDS):
        chunk = signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(",".join(map(str, chunk)).encode(), digest_size=8).digest()
        out.append((band, int.from_bytes(digest, "big") >> 1))  # fits a signed 64-bit column
    return out


def build(now: object) -> tuple[int, float]:
    started = time.perf_counter()
    since = now - integrity.DUPLICATE_LOOKBACK  # type: ignore[operator]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE lsh_band (band smallint, hash bigint, review_id integer, consumer_id integer)"
        )
        rows = []
        count = 0
        for pk, consumer_id, signature in (
            Review.objects.filter(created_at__gte=since).exclude(minhash=[])
            .values_list("pk", "consumer_id", "minhash").iterator(chunk_size=5000)
        ):
            count += 1
            rows += [(band, value, pk, consumer_id) for band, value in band_hashes(signature)]
            if len(rows) >= 50_000:
                cursor.executemany("INSERT INTO lsh_band VALUES (%s, %s, %s, %s)", rows)
                rows = []
        if rows:
            cursor.executemany("INSERT INTO lsh_band VALUES (%s, %s, %s, %s)", rows)
        cursor.execute("CREATE INDEX lsh_band_lookup ON lsh_band (band, hash)")
    return count, time.perf_counter() - started


def lsh_duplicate(signature: list[int], consumer_id: int) -> tuple[int, float] | None:
    pairs = band_hashes(signature)
    where = " OR ".join(["(band = %s AND hash = %s)"] * len(pairs))
    params = [value for pair in pairs for value in pair] + [consumer_id]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT review_id FROM lsh_band WHERE ({where}) AND consumer_id <> %s", params)
        ids = [row[0] for row in cursor.fetchall()]
    best = None
    for pk, other in Review.objects.filter(pk__in=ids).values_list("pk", "minhash"):
        score = minhash.similarity(signature, other)
        if score >= integrity.DUPLICATE_THRESHOLD and (best is None or score > best[1]):
            best = (pk, score)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(11)
    now = timezone.now()
    indexed, build_seconds = build(now)
    recent = list(Review.objects.filter(created_at__gte=now - integrity.DUPLICATE_LOOKBACK)
                  .values_list("text", flat=True)[:2000])
    texts = []
    for n in range(args.texts):
        # half fresh texts, half light edits of a recent review (a copy with a few characters added)
        if n % 2 and recent:
            texts.append(rng.choice(recent) + rng.choice(["！", "，真的", "，推荐"]))
        else:
            texts.append("，".join(rng.sample(BODIES, rng.randint(3, 7))) + f"，第{rng.randint(1, 99)}次买。")
    scan_s = lsh_s = 0.0
    agree = found_scan = found_lsh = 0
    for text in texts:
        signature = minhash.signature(text)
        probe = Review(minhash=signature, consumer_id=-1)
        t0 = time.perf_counter()
        old = integrity.near_duplicate(review=probe, now=now)
        t1 = time.perf_counter()
        new = lsh_duplicate(signature, -1)
        t2 = time.perf_counter()
        scan_s += t1 - t0
        lsh_s += t2 - t1
        found_scan += old is not None
        found_lsh += new is not None
        agree += (old is None) == (new is None)
    print(json.dumps({
        "vendor": connection.vendor, "reviews_in_window": indexed, "build_s": round(build_seconds, 1),
        "texts": len(texts), "scan_ms_per_review": round(scan_s / len(texts) * 1000, 1),
        "lsh_ms_per_review": round(lsh_s / len(texts) * 1000, 2), "found_by_scan": found_scan,
        "found_by_lsh": found_lsh, "same_verdict": agree,
    }, indent=1))


if __name__ == "__main__":
    main()
