"""Scan-log ingestion throughput (`scans_ingest`, trace.scans.scans_record), with the copy-warning bookkeeping.

Builds a fresh SQLite database (var/bench/scans-ingest-<label>.sqlite3) with --items items, writes a scan log of
--scans lines over --days days from --networks /24 networks (several addresses and browsers each), and times the
ingester reading it all, in its own batches. Reported: scans/s, and how many items ended flagged.

Run it against another checkout to compare: PYTHONPATH=<checkout>/src python bench/scans/ingest.py --label old

Usage: python bench/scans/ingest.py [--items 5000] [--scans 200000] [--days 10] [--networks 3000] [--label new]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--scans", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--networks", type=int, default=3000)
    parser.add_argument("--label", default="new")
    args = parser.parse_args()
    bench = ROOT / "var" / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    database = bench / f"scans-ingest-{args.label}.sqlite3"
    database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["XINREN_PUBLISH_ENABLED"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from tests.factories import BatchFactory
    from xinren.catalog.models import Item
    from xinren.trace.models import ItemScanStats
    from xinren.web.public.scanlog import Ingester

    call_command("migrate", verbosity=0)
    batch = BatchFactory(quantity=args.items)
    Item.objects.bulk_create(
        [Item(batch=batch, product=batch.product, serial=f"S{n:08d}") for n in range(args.items)], batch_size=2000)
    rng = random.Random(11)
    start = 1_780_000_000.0
    step = args.days * 86_400 / args.scans
    log, state = bench / f"scans-ingest-{args.label}.log", bench / f"scans-ingest-{args.label}.state"
    state.unlink(missing_ok=True)
    prefix = f"/01/{batch.product.gtin}/10/{batch.lot}/21/"
    with open(log, "w") as out:
        for n in range(args.scans):
            item = min(int(rng.paretovariate(1.2)) - 1, args.items - 1)  # a few hot items, a long tail
            network = rng.randrange(args.networks)
            address = f"{10 + network // 65536}.{network // 256 % 256}.{network % 256}.{rng.randrange(1, 255)}"
            out.write(f"{start + n * step:.3f}\t200\tGET\t{address}\t{prefix}S{item:08d}\tPhone {rng.randrange(5)}\n")
    ingester = Ingester(log_path=log, state_path=state)
    began = time.perf_counter()
    while ingester.step():
        ingester.take_touched()
    elapsed = time.perf_counter() - began
    flagged = ItemScanStats.objects.filter(flagged_at__isnull=False).count()
    print(f"{args.label}: {ingester.stats.scans} scans of {args.items} items in {elapsed:.1f} s = "
          f"{ingester.stats.scans / elapsed:,.0f} scans/s; {flagged} items flagged")


if __name__ == "__main__":
    main()
