"""A 5,000-item lot's QR label sheet, end to end, before and after (issue 17; not a test).

One run, one fresh SQLite database in a temporary folder (migrated, not timed):

  world   one merchant, one product with a Chinese name, one lot of `--items` items with 16-character random
          serials (as `items_generate` makes them) and a second lot of `--before-items` items for the old path.
  before  the label code as it was before this change (`git show <rev>:src/xinren/catalog/labels.py`, loaded
          beside the new one): segno symbols, reportlab path objects, STSong-Light not embedded. It draws a whole
          lot at once, so it is timed on the smaller lot (`--before-items`, default 480 = 20 pages) and reported per
          page; `--before-items 5000` times it on the full lot (about a minute).
  after   `labels.label_sheet_pdf` / `label_sheet_svg` over the whole big lot, from the database read to the
          finished bytes (font subset included), and the same through the sheet job (`label_sheet_request` then the
          task run in-process, as a worker does: progress updates and the write to storage included).

Prints seconds, pages, seconds per page and bytes for each. Goal: the 5,000-item PDF end to end ≤ 10 s.

Usage: python bench/catalog/label_sheet.py [--items 5000] [--before-items 480] [--before-rev HEAD~N] [--repeat 1]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")
RESOLVER = "https://xinren.example.cn"
# The last commit whose labels.py is the old code path (before issue 17's label work).
BEFORE_REV = "20b43a0"


def setup(folder: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["XINREN_MEDIA_ROOT"] = str(folder / "media")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def world(*, items: int, before_items: int) -> tuple[Any, Any, Any]:
    from tests.factories import BatchFactory, OrganizationFactory, ProductFactory, actor_for
    from xinren.accounts.choices import Role
    from xinren.catalog.models import Item

    merchant = OrganizationFactory(name="昆明野生菌铺")
    product = ProductFactory(merchant=merchant, name="云南野生牛肝菌 · 特级 500g")
    big = BatchFactory(product=product, lot="L2026/12", quantity=items)
    small = BatchFactory(product=product, lot="L2026/11", quantity=before_items)
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    for batch, count in ((big, items), (small, before_items)):
        Item.objects.bulk_create(
            [Item(batch=batch, product=product, serial="".join(secrets.choice(alphabet) for _ in range(16)))
             for _ in range(count)],
            batch_size=1000,
        )
    return big, small, actor_for(merchant, Role.STAFF)


def old_labels(rev: str) -> Any:
    source = subprocess.run(["git", "show", f"{rev}:src/xinren/catalog/labels.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("xinren.catalog.labels_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "xinren.catalog"
    sys.modules[spec.name] = module  # dataclasses look their module up there
    exec(compile(source, f"{rev}:labels.py", "exec"), module.__dict__)
    return module


def timed(label: str, pages: int, run: Any) -> float:
    """Wall and CPU seconds of `run()` (the machine is shared: the wall clock includes waiting for a core)."""
    started, cpu = time.perf_counter(), time.process_time()
    out = run()
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    size = len(out) if isinstance(out, (bytes, str)) else out
    print(f"{label:<42} wall {seconds:7.2f} s  cpu {cpu_seconds:7.2f} s  {pages:4d} pages  "
          f"{seconds / pages * 1000:7.1f} ms/page wall  {cpu_seconds / pages * 1000:7.1f} ms/page cpu  {size:>11,} B")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--before-items", type=int, default=480)
    parser.add_argument("--before-rev", default=BEFORE_REV)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-labels-") as folder:
        setup(Path(folder))
        from django.core.files.storage import default_storage
        from django.utils import translation

        from xinren.catalog import labels, sheets
        from xinren.catalog.choices import LabelSheetFormat
        from xinren.catalog.tasks import label_sheet_build_task

        translation.activate("zh-hans")
        big, small, actor = world(items=args.items, before_items=args.before_items)
        old = old_labels(args.before_rev)
        pages = labels.sheet_page_count(args.items)
        small_pages = labels.sheet_page_count(args.before_items)
        print(f"items {args.items} ({pages} pages), old path on {args.before_items} items ({small_pages} pages); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        from xinren.catalog.label_font import ALWAYS, font_subset_truetype

        header = labels._header(big, pages, pages) + "0123456789"
        timed("font subset (once per process and charset)", 1,
              lambda: font_subset_truetype(frozenset(header) | ALWAYS))
        for _ in range(args.repeat):
            timed(f"before: PDF ({args.before_rev})", small_pages,
                  lambda: old.label_sheet_pdf(batch=small, resolver=RESOLVER))
            timed(f"before: SVG ({args.before_rev})", small_pages,
                  lambda: old.label_sheet_svg(batch=small, resolver=RESOLVER))
            timed("after: PDF, same small lot", small_pages,
                  lambda: labels.label_sheet_pdf(plan=labels.sheet_plan(batch=small), resolver=RESOLVER))
            timed("after: PDF, whole lot", pages,
                  lambda: labels.label_sheet_pdf(plan=labels.sheet_plan(batch=big), resolver=RESOLVER))
            timed("after: SVG, whole lot", pages,
                  lambda: labels.label_sheet_svg(plan=labels.sheet_plan(batch=big), resolver=RESOLVER))

            def job(fmt: str) -> int:
                sheet = sheets.label_sheet_request(actor=actor, batch_id=big.pk, fmt=fmt)
                label_sheet_build_task.call(sheet_id=sheet.pk)
                sheet.refresh_from_db()
                assert sheet.status == "done", (sheet.status, sheet.error_message)
                assert default_storage.exists(sheet.file_name)
                return sheet.size

            timed("after: PDF job (request, task, storage)", pages, lambda: job(LabelSheetFormat.PDF))


if __name__ == "__main__":
    main()
