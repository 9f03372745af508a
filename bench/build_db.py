"""Build the benchmark database: 100k items (10 products x 10 lots x 1,000 items) with a few events each.

Items and events are bulk inserts, not services: this is test data for a load test, made in seconds. Then,
through the services (so that every statement is signed as in production), each page gets what issue 4
puts on it: a cost breakdown and a 12-photo album per product (and a product photo, issue 12), a lab report and a
cold-chain leg with readings every 5 minutes per lot (one lot in three with a warm spell). Writes the item paths,
one a line, for wrk's Lua script. Usage (bench/scan_path.sh sets the environment):
    python bench/build_db.py --items 100000 --paths var/bench/paths.txt [--no-evidence]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinren.settings")

import django

django.setup()

from biip.checksums import gs1_standard_check_digit  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from xinren.accounts.actors import Actor  # noqa: E402
from xinren.accounts.choices import OrganizationKind, Role  # noqa: E402
from xinren.accounts.models import Organization  # noqa: E402
from xinren.accounts.uscc import uscc_check_char  # noqa: E402
from xinren.catalog.choices import ProductCategory, ProductStatus  # noqa: E402
from xinren.catalog.demo import product_photo_draw  # noqa: E402
from xinren.catalog.models import Batch, Item, Product  # noqa: E402
from xinren.catalog.services import partner_grant, product_image_add  # noqa: E402
from xinren.coldchain.ingest import readings_ingest  # noqa: E402
from xinren.coldchain.services import leg_open, profile_set  # noqa: E402
from xinren.costs.models import COST_LINES  # noqa: E402
from xinren.costs.services import cost_breakdown_publish  # noqa: E402
from xinren.evidence.services import evidence_upload  # noqa: E402
from xinren.lab.services import lab_report_issue  # noqa: E402
from xinren.lab.thresholds import limits_for  # noqa: E402
from xinren.ledger.store.sequencer import log_integrate_all  # noqa: E402
from xinren.orders.services import offer_save  # noqa: E402
from xinren.trace.models import EventSubject, Place, TraceEvent  # noqa: E402
from xinren.web.cost_prices import offer_price  # noqa: E402

CST = dt.timezone(dt.timedelta(hours=8))
SERIAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PRODUCTS = [
    ("野生牛肝菌", ProductCategory.WILD_MUSHROOM, "云南省楚雄州南华县", "25.19", "101.27"),
    ("普洱古树生茶", ProductCategory.TEA, "云南省普洱市澜沧县", "22.55", "99.93"),
    ("鲜花饼", ProductCategory.BAKED_GOODS, "云南省昆明市", "25.04", "102.71"),
    ("斗南玫瑰", ProductCategory.FRESH_FLOWERS, "云南省昆明市呈贡区斗南", "24.90", "102.80"),
    ("褚橙", ProductCategory.FRUIT, "云南省玉溪市新平县", "24.07", "101.99"),
    ("保山小粒咖啡", ProductCategory.COFFEE, "云南省保山市隆阳区", "25.11", "99.16"),
    ("罗平菜花蜜", ProductCategory.HONEY, "云南省曲靖市罗平县", "24.88", "104.31"),
    ("宣威火腿", ProductCategory.MEAT_EGGS, "云南省曲靖市宣威市", "26.22", "104.10"),
    ("鸡枞菌", ProductCategory.WILD_MUSHROOM, "云南省大理州南涧县", "25.04", "100.51"),
    ("滇红工夫茶", ProductCategory.TEA, "云南省临沧市凤庆县", "24.58", "99.93"),
]


def organization(name: str, slug: str, kind: str, n: int) -> Organization:
    body = f"91530100MB{n:07d}"
    return Organization.objects.create(name=name, slug=slug, kind=kind, uscc=body + uscc_check_char(body),
                                       region="云南省昆明市")


def serials(count: int, rng: random.Random) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.choice(SERIAL_ALPHABET) for _ in range(10)))
    return sorted(found)


def event(org: Organization, step: str, when: dt.datetime, place: Place, **extra: object) -> TraceEvent:
    document = {"type": "ObjectEvent", "bizStep": step, **extra}
    return TraceEvent(
        event_id=f"urn:uuid:{uuid.uuid4()}", organization=org, event_type="ObjectEvent", action="OBSERVE",
        biz_step=step, disposition=str(extra.get("disposition", "")), event_time=when,
        event_time_zone_offset="+08:00", place=place, document=document,
    )


ALBUM_PHOTOS = 12
COSTS = ("30.00", "9.00", "6.00", "12.00", "4.00", "7.00")  # adds up to 68.00
READING_STEP = dt.timedelta(minutes=5)


def photo(product: int, number: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 720), (60 + 17 * product % 120, 110 + 9 * number % 100, 70))
    draw = ImageDraw.Draw(image)
    for row in range(0, 720, 48):
        draw.line([(0, row + number), (960, row + 3 * number)], fill=(200, 180 - row // 8, 120), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def evidence_add(merchant: Organization, lab: Organization, logistics: Organization) -> None:
    """What a consumer page of issue 4 shows, made through the services (signed, as in production)."""
    owner = Actor(organization=merchant, role=Role.OWNER)
    lab_actor = Actor(organization=lab, role=Role.STAFF)
    carrier = Actor(organization=logistics, role=Role.STAFF)
    for slug in (lab.slug, logistics.slug):
        partner_grant(actor=owner, partner_slug=slug)
    for p, product in enumerate(Product.objects.filter(merchant=merchant).order_by("pk")):
        # The product photo (issue 12): its responsive variants are lazily loaded files beside the page.
        drawn = product_photo_draw(category=product.category, seed=p)
        product_image_add(actor=owner, product_id=product.pk, data=drawn)
        # A breakdown is published against the product's price (ADR 0035): the offer first.
        offer = offer_save(actor=owner, product_id=product.pk, price_fen=6800, stock=1000)
        cost_breakdown_publish(actor=owner, product_id=product.pk, offer=offer_price(offer), price="68.00",
                               lines=dict(zip(COST_LINES, COSTS, strict=True)))
        for n in range(ALBUM_PHOTOS):
            evidence_upload(actor=owner, content=photo(p, n), filename=f"album-{p}-{n}.jpg", product_id=product.pk,
                            purpose="origin" if n % 3 else "production", caption=f"{product.name} 产地实拍 {n + 1}")
        profile_set(actor=owner, product_id=product.pk, temperature_min="0", temperature_max="8",
                    tolerance_minutes=10)
        limits = limits_for(category=product.category)
        for b, batch in enumerate(product.batches.order_by("pk")):
            if limits:
                lab_report_issue(
                    actor=lab_actor, batch_id=batch.pk, accreditation="CNAS L1234", sample_id=f"B-{batch.lot}",
                    sampled_at=dt.datetime.combine(batch.production_date, dt.time(10), CST), method="GB 5009",
                    measurements=[{"indicator": key, "value": "ND", "unit": limit.unit}
                                  for key, limit in limits.items()],
                )
            shipping = TraceEvent.objects.get(subjects__batch=batch, biz_step="shipping")
            for leg in leg_open(actor=carrier, shipping_event_id=shipping.event_id):
                readings = []
                at = leg.departed_at
                for step in range(30 * 12):  # 30 hours on the road
                    warm = b % 3 == 0 and 60 <= step < 68
                    value = 9.6 if warm else 3.5 + (step % 12) / 10
                    readings.append({"sensorMetadata": {"time": at.isoformat(), "deviceID": f"urn:bench:logger:{b}"},
                                     "sensorReport": [{"type": "Temperature", "value": value, "uom": "CEL"}]})
                    at += READING_STEP
                readings_ingest(actor=carrier, leg_id=leg.pk, readings=readings)
    log_integrate_all()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--paths", type=Path, required=True)
    parser.add_argument("--no-evidence", action="store_true", help="the foundation's pages: events only")
    args = parser.parse_args()
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if Item.objects.count() == args.items and args.paths.exists():
        print(f"bench database already has {args.items} items")
        return
    rng = random.Random(20260701)
    per_batch = 1000
    batches_per_product = max(1, args.items // per_batch // len(PRODUCTS))
    with transaction.atomic():
        merchant = organization("云岭山珍合作社", "bench-merchant", OrganizationKind.MERCHANT, 1)
        logistics = organization("滇冷链物流", "bench-logistics", OrganizationKind.LOGISTICS, 2)
        lab = organization("云南食品检测中心", "bench-lab", OrganizationKind.LAB, 3)
        workshop = Place.objects.create(organization=merchant, name="昆明分拣包装车间", latitude=Decimal("25.02"),
                                        longitude=Decimal("102.68"), uri="urn:bench:place:workshop")
        laboratory = Place.objects.create(organization=lab, name="云南食品检测中心", latitude=Decimal("25.05"),
                                          longitude=Decimal("102.72"), uri="urn:bench:place:lab")
        hub = Place.objects.create(organization=logistics, name="广州冷链仓", latitude=Decimal("23.13"),
                                   longitude=Decimal("113.26"), uri="urn:bench:place:hub")
        paths: list[str] = []
        for p, (name, category, region, lat, lon) in enumerate(PRODUCTS):
            payload = f"0690{7000000 + p:09d}"
            product = Product.objects.create(
                merchant=merchant, gtin=payload + str(gs1_standard_check_digit(payload)), name=name,
                category=category, origin_region=region, origin_latitude=Decimal(lat),
                origin_longitude=Decimal(lon), description=f"{region}产地直采。", status=ProductStatus.ACTIVE,
            )
            farm = Place.objects.create(organization=merchant, name=f"{region}采收点", latitude=Decimal(lat),
                                        longitude=Decimal(lon), uri=f"urn:bench:place:farm{p}")
            for b in range(batches_per_product):
                day = dt.date(2026, 6, 1) + dt.timedelta(days=b)
                batch = Batch.objects.create(product=product, lot=f"L{day:%Y%m%d}{p}", production_date=day,
                                             expiry_date=day + dt.timedelta(days=180), quantity=per_batch)
                noon = dt.datetime.combine(day, dt.time(12), CST)
                shared = [
                    event(merchant, "harvesting", noon - dt.timedelta(hours=5), farm),
                    event(lab, "inspecting", noon, laboratory, disposition="conformant"),
                    event(logistics, "shipping", noon + dt.timedelta(hours=20), workshop, disposition="in_transit",
                          sensorElementList=[{"sensorReport": [{"type": "gs1:Temperature", "value": 3.8,
                                                                "uom": "CEL"}]}]),
                    event(logistics, "receiving", noon + dt.timedelta(hours=50), hub,
                          sensorElementList=[{"sensorReport": [{"type": "gs1:Temperature", "value": 4.4,
                                                                "uom": "CEL"}]}]),
                ]
                TraceEvent.objects.bulk_create(shared)
                EventSubject.objects.bulk_create(
                    [EventSubject(event=e, role="quantity", uri=batch.digital_link.path, gtin=product.gtin,
                                  lot=batch.lot, product=product, batch=batch) for e in shared]
                )
                items = Item.objects.bulk_create(
                    [Item(batch=batch, product=product, serial=s) for s in serials(per_batch, rng)]
                )
                packing = [event(merchant, "packing", noon + dt.timedelta(hours=3, seconds=i), workshop)
                           for i in range(len(items))]
                TraceEvent.objects.bulk_create(packing, batch_size=2000)
                EventSubject.objects.bulk_create(
                    [EventSubject(event=e, role="epc", uri=f"/01/{product.gtin}/10/{batch.lot}/21/{i.serial}",
                                  gtin=product.gtin, lot=batch.lot, serial=i.serial, product=product, batch=batch,
                                  item=i) for e, i in zip(packing, items, strict=True)],
                    batch_size=2000,
                )
                paths += [f"/01/{product.gtin}/10/{batch.lot}/21/{i.serial}" for i in items]
        if not args.no_evidence:
            evidence_add(merchant, lab, logistics)
    args.paths.parent.mkdir(parents=True, exist_ok=True)
    args.paths.write_text("\n".join(paths) + "\n")
    print(f"built {len(paths)} items in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
