"""Reviews and community benchmark: integrity checks on vs off, in one run, on a database made by load.py.

Client: Django's test client, in process, one thread (no web server, no network): it runs the full middleware
stack, URL routing, the Ninja API, the views and the ORM, so the figures are Django's own cost per request on
this database, without gunicorn/nginx in front. Both modes run in the same process, alternating round by round
(on, off, on, off, ...) so that drift of the machine (shared with other work) hits both alike.

- Posting: POST /api/v1/reviews as the signed-in consumer of a delivered, unreviewed line prepared by load.py,
  each consumer once. "Checks on" = XINREN_REVIEW_CHECKS=True: the near-duplicate MinHash comparison against
  the newest 5,000 reviews of the last 30 days and the new-account burst query (the reviews core); the hourly
  limit, signing and the ledger append run in both modes. A post counts when it returns 201.
- Feed: GET /community/ (the server-rendered page, anonymous), cycling first page, a category, a product and
  page two, after one untimed warm-up pass over those URLs in each mode. "Checks on" = the feed leaves out
  folded reviews and reviews with an open integrity flag and adds the quality score explanation, tier badges
  and trial labels; "off" lists every review with none of that.

    DATABASE_URL=... python bench/reviews/run.py --manifest var/bench/reviews-manifest.json --posts 200 --feeds 400
"""

from __future__ import annotations

import argparse
import json
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
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from xinren.accounts.models import User  # noqa: E402
from xinren.reviews.models import Review  # noqa: E402

BODIES = ["包装很严实", "冰袋还没化", "个头均匀", "味道浓", "有点压坏", "物流三天到", "能看到采摘时间", "炒肉香",
          "泡了两泡还有味道", "冷藏了几天还新鲜", "分量足", "价格稍贵", "和描述一致", "孩子喜欢", "口感特别",
          "客服回复快", "颜色正", "没有异味", "比上次的好", "快递员态度好", "送人很体面", "做汤很鲜"]


def _session_for(user: User) -> str:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def _text(rng: random.Random) -> str:
    return "，".join(rng.sample(BODIES, rng.randint(3, 7))) + f"，第{rng.randint(1, 99)}次买，{rng.randint(1, 9)}斤装。"


def _percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def bench_posts(client: Client, posts: list[dict[str, Any]], rounds: int, per_round: int,
                rng: random.Random) -> dict[str, Any]:
    sessions = [(_session_for(User.objects.get(pk=p["consumer_id"])), p["line_id"]) for p in posts]
    cookie = settings.SESSION_COOKIE_NAME
    stats: dict[str, dict[str, Any]] = {"on": {"ok": 0, "seconds": 0.0, "lat": [], "other": {}},
                                        "off": {"ok": 0, "seconds": 0.0, "lat": [], "other": {}}}
    position = 0
    for round_index in range(rounds * 2):
        mode = "on" if round_index % 2 == 0 else "off"
        settings.XINREN_REVIEW_CHECKS = mode == "on"
        started = time.perf_counter()
        for _ in range(per_round):
            session, line_id = sessions[position]
            position += 1
            client.cookies[cookie] = session
            body = {"line_id": line_id, "stars": rng.choice((1, 3, 4, 5, 5, 5)), "text": _text(rng)}
            t0 = time.perf_counter()
            response = client.post("/api/v1/reviews", body, content_type="application/json")
            stats[mode]["lat"].append(time.perf_counter() - t0)
            if response.status_code == 201:
                stats[mode]["ok"] += 1
            else:
                code = f"{response.status_code} {response.json().get('code', '')}"
                stats[mode]["other"][code] = stats[mode]["other"].get(code, 0) + 1
        stats[mode]["seconds"] += time.perf_counter() - started
    client.cookies.pop(cookie, None)
    return _summary(stats, "reviews_per_s")


def bench_feed(client: Client, manifest: dict[str, Any], rounds: int, per_round: int) -> dict[str, Any]:
    stats: dict[str, dict[str, Any]] = {"on": {"ok": 0, "seconds": 0.0, "lat": [], "other": {}},
                                        "off": {"ok": 0, "seconds": 0.0, "lat": [], "other": {}}}
    categories = manifest["categories"]
    products = manifest["products"]
    # Warm-up, not timed: every URL of the cycle once in each mode (database pages, templates, translations).
    for mode in ("on", "off"):
        settings.XINREN_REVIEW_CHECKS = mode == "on"
        for url in ["/community/", *(f"/community/?category={c}" for c in categories),
                    *(f"/community/?product={p}" for p in products)]:
            client.get(url)
    for round_index in range(rounds * 2):
        mode = "on" if round_index % 2 == 0 else "off"
        settings.XINREN_REVIEW_CHECKS = mode == "on"
        first = client.get("/community/")
        cursor = first.content.decode().split('rel="next"')[0].rsplit("after=", 1)[-1].split('"')[0]
        urls = ["/community/", f"/community/?after={cursor}"]
        started = time.perf_counter()
        for n in range(per_round):
            kind = n % 4
            if kind < 2:
                url = urls[kind]
            elif kind == 2:
                url = f"/community/?category={categories[n % len(categories)]}"
            else:
                url = f"/community/?product={products[n % len(products)]}"
            t0 = time.perf_counter()
            response = client.get(url)
            stats[mode]["lat"].append(time.perf_counter() - t0)
            if response.status_code == 200:
                stats[mode]["ok"] += 1
            else:
                stats[mode]["other"][str(response.status_code)] = stats[mode]["other"].get(
                    str(response.status_code), 0) + 1
        stats[mode]["seconds"] += time.perf_counter() - started
    return _summary(stats, "requests_per_s")


def _summary(stats: dict[str, dict[str, Any]], unit: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for mode, row in stats.items():
        rate = row["ok"] / row["seconds"] if row["seconds"] else 0.0
        out[mode] = {unit: round(rate, 1), "ok": row["ok"], "refused": row["other"],
                     "p50_ms": round(statistics.median(row["lat"]) * 1000, 1) if row["lat"] else None,
                     "p95_ms": round(_percentile(row["lat"], 0.95) * 1000, 1)}
    off = out["off"][unit]
    out["ratio_on_off"] = round(out["on"][unit] / off, 3) if off else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", default="var/bench/reviews-manifest.json")
    parser.add_argument("--posts", type=int, default=200, help="posts per mode")
    parser.add_argument("--feeds", type=int, default=400, help="feed requests per mode")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    manifest = json.loads(Path(args.manifest).read_text())
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append("testserver")
    client = Client()
    rng = random.Random(7)
    needed = args.posts * 2
    if needed > len(manifest["post"]):
        raise SystemExit(f"the manifest has {len(manifest['post'])} prepared lines; {needed} needed")
    already = set(Review.objects.filter(line_id__in=[p["line_id"] for p in manifest["post"]])
                  .values_list("line_id", flat=True))
    posts = [p for p in manifest["post"] if p["line_id"] not in already]
    if needed > len(posts):
        raise SystemExit("the prepared lines were used by an earlier run: load a fresh database")
    result = {
        "vendor": connection.vendor,
        "reviews_in_db": Review.objects.count(),
        "client": "django.test.Client in process, one thread",
        "posting": bench_posts(client, posts, args.rounds, max(1, args.posts // args.rounds), rng),
        "feed": bench_feed(client, manifest, args.rounds, max(1, args.feeds // args.rounds)),
    }
    text = json.dumps(result, indent=1, ensure_ascii=False)
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()
