"""Sensor-reading ingest through the batch API, as a ratio to inserting the same rows with plain SQL.

One run, one fresh database (SQLite file var/bench/coldchain.sqlite3, or PostgreSQL xinren_bench_coldchain):

  (a) plain SQL: `cursor.executemany(INSERT INTO coldchain_reading …)` of 1,000 rows in one transaction, into a
      leg of its own;
  (b) the batch API: `POST /api/v1/coldchain/legs/{id}/readings` with the same 1,000 readings as EPCIS sensor
      elements, through Django's test client in this process (URL routing, middleware, API-key auth, JSON parsing,
      unit and value checks, duplicate check, insert, excursion detection on the affected window, a signed
      statement in the ledger pool, page-refresh rows, audit), into another leg.

(a) and (b) alternate batch by batch until (b) has taken --seconds, so that both see the same load on a shared
machine. The rows: one logger reading a second with temperature and humidity, a warm spell of 10 readings every
600 (so that detection has excursions to find). Only the insert calls (a) and the requests (b) are timed, not
making the rows or the JSON bodies. Prints readings/s for both and the ratio b/a (goal ≥ 0.3).

Usage: python bench/coldchain/ingest.py --db sqlite|postgres [--seconds 60] [--batch 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DEVICE = "urn:epc:id:giai:6975830.9001"


def use_database(kind: str) -> None:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        path = BENCH_DIR / "coldchain.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS xinren_bench_coldchain")
            conn.execute("CREATE DATABASE xinren_bench_coldchain")
        os.environ["DATABASE_URL"] = f"{PG_URL}/xinren_bench_coldchain"
    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def world(start: dt.datetime) -> tuple[int, int, str]:
    """A merchant, a granted carrier with an API key, a lot shipped `start`, and two legs: (plain, api, key)."""
    from xinren.accounts.actors import Actor
    from xinren.accounts.models import User
    from xinren.accounts.services import api_key_create, organization_create
    from xinren.accounts.uscc import uscc_check_char
    from xinren.catalog.choices import ProductStatus
    from xinren.catalog.services import (
        batch_create,
        items_generate,
        partner_grant,
        product_register,
        product_set_status,
    )
    from xinren.coldchain.services import leg_open, profile_set
    from xinren.trace.services import event_record

    def org(slug: str, kind: str, body: str) -> Actor:
        user = User.objects.create_user(username=slug, password="bench-password-1")
        organization = organization_create(
            name=slug, kind=kind, uscc=body + uscc_check_char(body), slug=slug, owner=user
        )
        return Actor(organization=organization, role="owner", user=user)

    merchant = org("bench-shop", "merchant", "92530102MA6K3Q8L1")
    carrier = org("bench-cold", "logistics", "91530111MA6R2X6F3")
    partner_grant(actor=merchant, partner_slug="bench-cold")
    product = product_register(
        actor=merchant, gtin="6975830100012", name="bench boletus", category="wild_mushroom", origin_region="云南"
    )
    product_set_status(actor=merchant, product_id=product.pk, status=ProductStatus.ACTIVE)
    profile_set(actor=merchant, product_id=product.pk, temperature_min="2", temperature_max="6")
    legs = []
    for lot in ("PLAIN", "API"):
        batch = batch_create(actor=merchant, product_id=product.pk, lot=lot, production_date=start.date(), quantity=10)
        items = items_generate(actor=merchant, batch_id=batch.pk, count=1)
        event = event_record(
            actor=carrier, event_type="ObjectEvent", biz_step="shipping", event_time=start,
            identifiers=[items[0].digital_link.path],
        )  # fmt: skip
        legs.append(leg_open(actor=carrier, shipping_event_id=event.event_id)[0].pk)
    _key, raw = api_key_create(actor=carrier, name="bench")
    return legs[0], legs[1], raw


def rows(start: dt.datetime, batch: int) -> Iterator[list[tuple[dt.datetime, int, int]]]:
    """Batches of (time, temperature tenths, humidity tenths): a reading a second, a warm spell every 600."""
    n = 0
    while True:
        out = []
        for _ in range(batch):
            warm = n % 600 >= 590
            out.append((start + dt.timedelta(seconds=n), 95 if warm else 40 + n % 7, 880 + n % 11))
            n += 1
        yield out


def interleaved(
    plain_leg: int, api_leg: int, key: str, start: dt.datetime, seconds: float, batch: int
) -> dict[str, float]:
    """The same batch inserted by plain SQL (a) and posted to the API (b), alternately, until (b) has run for
    `seconds`: both see the same machine load, which on a shared machine moves more than either path does."""
    from django.db import connection, transaction
    from django.test import Client

    from xinren.coldchain.models import Excursion, ReadingBatch

    holder = ReadingBatch.objects.create(
        leg_id=plain_leg, count=0, first_time=start, last_time=start, sha256="", ledger_leaf_hash="", statement={}
    )
    sql = (
        "INSERT INTO coldchain_reading (leg_id, device_id, time, temperature, humidity, latitude, longitude, batch_id)"
        " VALUES (%s, %s, %s, %s, %s, NULL, NULL, %s)"
    )
    client = Client(HTTP_HOST="127.0.0.1")
    path = f"/api/v1/coldchain/legs/{api_leg}/readings"
    headers = {"Authorization": f"Bearer {key}"}
    done, plain_s, api_s = 0, 0.0, 0.0
    for part in rows(start, batch):
        params = [(plain_leg, DEVICE, t, temp, hum, holder.pk) for t, temp, hum in part]
        body = json.dumps({
            "readings": [
                {"sensorMetadata": {"time": t.isoformat(), "deviceID": DEVICE},
                 "sensorReport": [{"type": "Temperature", "value": temp / 10, "uom": "CEL"},
                                  {"type": "RelativeHumidity", "value": hum / 10, "uom": "P1"}]}
                for t, temp, hum in part
            ]
        })  # fmt: skip
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)
        plain_s += time.perf_counter() - began
        began = time.perf_counter()
        response = client.post(path, data=body, content_type="application/json", headers=headers)
        api_s += time.perf_counter() - began
        if response.status_code != 201:
            raise SystemExit(f"batch refused: {response.status_code} {response.content[:300]!r}")
        done += len(part)
        if api_s >= seconds:
            break
    return {
        "readings": done,
        "plain_seconds": plain_s,
        "api_seconds": api_s,
        "excursions": Excursion.objects.filter(leg_id=api_leg).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    use_database(args.db)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # Readings a second apart must lie between the leg's departure and now: start far enough back.
    start = now - dt.timedelta(days=20)
    plain_leg, api_leg, key = world(start)
    run = interleaved(plain_leg, api_leg, key, start, args.seconds, args.batch)
    n = run["readings"]
    a, b = n / run["plain_seconds"], n / run["api_seconds"]
    result = {
        "db": args.db, "seconds": args.seconds, "batch": args.batch, "readings_each": n,
        "plain_sql": {"seconds": round(run["plain_seconds"], 2), "per_second": round(a)},
        "batch_api": {"seconds": round(run["api_seconds"], 2), "per_second": round(b),
                      "excursions": run["excursions"], "client": "django.test.Client (in process)"},
        "ratio": round(b / a, 3), "goal": 0.3,
    }  # fmt: skip
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
