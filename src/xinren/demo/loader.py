"""Loading the demo world through the same services that users call, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from xinren.accounts.actors import Actor
from xinren.accounts.models import Organization, User
from xinren.accounts.selectors import PLATFORM_SLUG
from xinren.accounts.services import organization_create
from xinren.accounts.uscc import uscc_check_char
from xinren.aftersales.demo import demo_aftersales_load
from xinren.aftersales.demo_money import demo_money_load
from xinren.aftersales.demo_nps import demo_nps_load
from xinren.aftersales.demo_programmes import demo_programmes_load
from xinren.aftersales.demo_returns import demo_returns_load
from xinren.care.demo import demo_care_load
from xinren.catalog.choices import ProductStatus
from xinren.catalog.demo import product_photo_draw
from xinren.catalog.grants import partner_grant
from xinren.catalog.models import Batch, Item, Product
from xinren.catalog.services import (
    batch_create,
    items_generate,
    product_image_add,
    product_register,
    product_set_status,
)
from xinren.coldchain.demo import demo_coldchain_load
from xinren.community.demo import demo_community_load
from xinren.core import clock
from xinren.costs.models import COST_LINES
from xinren.costs.services import cost_breakdown_publish
from xinren.evidence.demo import demo_evidence_load
from xinren.governance.demo import demo_governance_load
from xinren.governance.demo_probation import demo_probation_load
from xinren.governance.demo_watch import demo_watch_load
from xinren.lab.demo import demo_report_pdf
from xinren.lab.originals import PdfUpload
from xinren.lab.services import lab_report_issue
from xinren.orders.demo import demo_orders_load
from xinren.reviews.demo import demo_reviews_load
from xinren.support.demo import demo_support_load
from xinren.trace.models import Place
from xinren.trace.services import event_record, place_create
from xinren.trust.demo import demo_trust_load
from xinren.trust.scores.services import scores_recompute
from xinren.web.cost_prices import offer_price_for_merchant

from . import data

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class DemoWorld:
    """What the loader made, for the URL printout and tests."""

    organizations: dict[str, Organization] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    places: dict[tuple[str, str], Place] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)


def demo_is_loaded() -> bool:
    return Organization.objects.filter(slug=PLATFORM_SLUG).exists()


@transaction.atomic
def demo_load(*, now: dt.datetime | None = None) -> DemoWorld:
    """Create the demo world unless it exists. Returns what was made (empty when already loaded)."""
    if demo_is_loaded():
        return DemoWorld()
    now = (now or clock.now()).astimezone(SHANGHAI)
    world = DemoWorld()
    _load_people_and_organizations(world)
    _load_places(world)
    for merchant_slug, products in data.PRODUCTS.items():
        for product_row in products:
            _load_product(world, merchant_slug, product_row, now)
    demo_orders_load()
    _load_costs(world)  # after the offers: a breakdown is published against its product's price (ADR 0035)
    demo_reviews_load(now=now)
    demo_support_load(now=now)
    demo_community_load(now=now)
    demo_evidence_load(now=now)
    demo_coldchain_load()
    demo_trust_load()
    # Last: the after-sales answer deliveries (a return comes back as a receiving event with disposition "returned").
    demo_aftersales_load(now=now)
    demo_returns_load(now=now)
    demo_money_load(now=now)  # before the programmes top up deposits: its recovery takes ¥100 of ¥128 from one
    demo_programmes_load(now=now)
    demo_nps_load(now=now)
    demo_watch_load(actor=world.actors["shanye-mushroom"], now=now)  # a licence expiring in 20 days
    demo_probation_load(now=now)  # its limits would bind the demo's own orders and listings
    demo_governance_load(now=now)  # applications in the queue, a blacklisted phone, every merchant's risk score
    demo_care_load(now=now)  # the latest low-star review becomes a care ticket (voice of the user)
    scores_recompute()  # last: every product's trust score reads all of the above (ADR 0047)
    return world


def _load_people_and_organizations(world: DemoWorld) -> None:
    people = {row[2]: row for row in data.PEOPLE}
    for slug, name, kind, uscc_body, region, description in data.ORGANIZATIONS:
        username, display_name, _org, role = people[slug]
        user = User.objects.create_user(
            username=username, password=data.DEMO_PASSWORD, display_name=display_name,
            is_staff=slug == PLATFORM_SLUG, is_superuser=slug == PLATFORM_SLUG,
        )
        uscc = uscc_body + uscc_check_char(uscc_body) if uscc_body else None
        organization = organization_create(
            name=name, kind=kind, uscc=uscc, slug=slug, region=region, description=description, owner=user
        )
        world.organizations[slug] = organization
        world.actors[slug] = Actor(organization=organization, role=role, user=user)


def _load_places(world: DemoWorld) -> None:
    for slug, places in data.PLACES.items():
        for key, name, lat, lng, address in places:
            world.places[(slug, key)] = place_create(
                actor=world.actors[slug], name=name, latitude=Decimal(lat), longitude=Decimal(lng), address=address
            )


def _load_product(world: DemoWorld, merchant_slug: str, row: tuple, now: dt.datetime) -> None:
    gtin, name, category, region, lat, lng, description, lots = row
    actor = world.actors[merchant_slug]
    place, amount, unit, shelf_life_days, ingredients = data.FACTS[gtin]
    product = product_register(
        actor=actor, gtin=gtin, name=name, category=category, origin_region=region, description=description,
        origin_latitude=Decimal(lat), origin_longitude=Decimal(lng), origin_place=place,
        net_content_amount=Decimal(amount), net_content_unit=unit, shelf_life_days=shelf_life_days,
        ingredients=ingredients,
    )
    # The lab and the carrier work on every demo product, each granted per product for a year (ADR 0039).
    for partner in ("yunce-lab", "dianleng-logistics"):
        partner_grant(
            actor=actor, partner=partner, product_ids=[product.pk], ends_on=now.date() + dt.timedelta(days=365)
        )
    photo = product_photo_draw(category=category, seed=int(gtin[-6:]))
    product_image_add(actor=actor, product_id=product.pk, data=photo)
    product_set_status(actor=actor, product_id=product.pk, status=ProductStatus.ACTIVE)
    for lot_pattern, days_ago, shelf_days, quantity, minted, harvest_key in lots:
        produced = _harvested(now, days_ago)
        lot = produced.strftime(lot_pattern)
        batch = batch_create(
            actor=actor, product_id=product.pk, lot=lot, production_date=produced.date(), quantity=quantity,
            expiry_date=produced.date() + dt.timedelta(days=shelf_days),
        )
        items = items_generate(actor=actor, batch_id=batch.pk, count=minted)
        world.items.extend(items)
        _load_history(world, merchant_slug, batch, items, produced, harvest_key, now)


def _load_costs(world: DemoWorld) -> None:
    for merchant_slug, products in data.PRODUCTS.items():
        actor = world.actors[merchant_slug]
        for row in products:
            if row[0] not in data.COSTS:
                continue
            product = Product.objects.get(gtin=row[0].zfill(14))
            price, lines = data.COSTS[row[0]]
            cost_breakdown_publish(
                actor=actor, product_id=product.pk, offer=offer_price_for_merchant(actor=actor, product_id=product.pk),
                price=price, lines=dict(zip(COST_LINES, lines, strict=True)),
            )


def _harvested(now: dt.datetime, days_ago: int) -> dt.datetime:
    """When a demo lot was harvested: `days_ago` days and 16 hours before now, on the half hour. A fixed distance
    from now, not a fixed hour of the day, so that the demo parcels (whose journeys are timed from now) keep or
    break their lots' delivery promises the same way whatever the hour the demo is loaded."""
    moment = now - dt.timedelta(days=days_ago, hours=16)
    return moment.replace(minute=30 if moment.minute >= 30 else 0, second=0, microsecond=0)


def _at(start: dt.datetime, hours: float, now: dt.datetime) -> dt.datetime:
    """A moment `hours` after `start`, never in the future."""
    return min(start + dt.timedelta(hours=hours), now - dt.timedelta(minutes=5))


def _load_history(
    world: DemoWorld,
    merchant_slug: str,
    batch: Batch,
    items: list[Item],
    produced: dt.datetime,
    harvest_key: str,
    now: dt.datetime,
) -> None:
    """Harvest → pack (serialise) → lab inspection → cold-chain shipping with readings → receiving → storing."""
    merchant = world.actors[merchant_slug]
    lab = world.actors["yunce-lab"]
    logistics = world.actors["dianleng-logistics"]
    lot_path = batch.digital_link.path
    item_paths = [item.digital_link.path for item in items]
    place = world.places
    perishable = batch.product.category != "tea"
    pack_key = {"shanye-mushroom": "packing", "jingmai-tea": "factory", "dianwei-bakery": "bakery"}[merchant_slug]

    first_step = "harvesting"
    event_record(
        actor=merchant, event_type="ObjectEvent", biz_step=first_step, action="ADD", disposition="active",
        event_time=produced, identifiers=[lot_path], quantity=Decimal(batch.quantity), uom="H87",
        place_id=place[(merchant_slug, harvest_key)].pk,
    )
    if merchant_slug == "dianwei-bakery":
        event_record(
            actor=merchant, event_type="TransformationEvent", biz_step="creating_class_instance",
            event_time=_at(produced, 5, now), identifiers=[lot_path], outputs=[lot_path],
            place_id=place[(merchant_slug, "bakery")].pk, disposition="in_progress",
        )
    event_record(
        actor=merchant, event_type="ObjectEvent", biz_step="commissioning", action="ADD", disposition="active",
        event_time=_at(produced, 8, now), identifiers=item_paths, place_id=place[(merchant_slug, pack_key)].pk,
    )
    event_record(
        actor=lab, event_type="ObjectEvent", biz_step="inspecting", action="OBSERVE", disposition="conformant",
        event_time=_at(produced, 14, now), identifiers=[lot_path], place_id=place[("yunce-lab", "lab")].pk,
    )
    category = batch.product.category
    if category in data.LAB_RESULTS:
        sampled_at, sampled_place = _at(produced, 12, now), place[(merchant_slug, pack_key)].name
        # The lab's own report document rides with the report: its SHA-256 is signed with it (ADR 0038).
        pdf = demo_report_pdf(
            lab=lab.organization.name, accreditation=data.LAB_ACCREDITATION, product=batch.product.name, lot=batch.lot,
            sample_id=f"YC-{batch.lot}", sampled_at=sampled_at, place=sampled_place,
            method=data.LAB_METHODS[category], measurements=data.LAB_RESULTS[category],
        )
        lab_report_issue(
            actor=lab, batch_id=batch.pk, accreditation=data.LAB_ACCREDITATION, sample_id=f"YC-{batch.lot}",
            sampled_at=sampled_at, sampled_place=sampled_place, method=data.LAB_METHODS[category],
            measurements=[{"indicator": indicator, "value": value, "unit": unit}
                          for indicator, value, unit in data.LAB_RESULTS[category]],
            pdf=PdfUpload(content=pdf, filename=f"YC-{batch.lot}.pdf"),
        )
    event_record(
        actor=merchant, event_type="ObjectEvent", biz_step="packing", action="OBSERVE",
        disposition="container_closed", event_time=_at(produced, 18, now), identifiers=item_paths,
        place_id=place[(merchant_slug, pack_key)].pk,
    )
    readings_start = _at(produced, 20, now)
    reading_times = [readings_start + dt.timedelta(hours=2 * i) for i in range(6)]
    readings = [
        # Within every demo profile (0–4 °C is the strictest): readings in events count against it too (ADR 0015).
        {"type": "Temperature", "value": round(2.4 + (i % 5) * 0.3, 1) if perishable else 18.0 + i % 3, "uom": "CEL",
         "time": at}
        for i, at in enumerate(reading_times)
        if at <= now
    ]
    event_record(
        actor=logistics, event_type="ObjectEvent", biz_step="shipping", action="OBSERVE", disposition="in_transit",
        event_time=readings_start, identifiers=item_paths, place_id=place[("dianleng-logistics", "kunming-hub")].pk,
        sensor_readings=readings,
    )
    event_record(
        actor=logistics, event_type="ObjectEvent", biz_step="receiving", action="OBSERVE",
        disposition="sellable_not_accessible", event_time=_at(produced, 34, now), identifiers=item_paths,
        place_id=place[("dianleng-logistics", "shanghai-hub")].pk,
    )
    event_record(
        actor=logistics, event_type="ObjectEvent", biz_step="storing", action="OBSERVE",
        disposition="sellable_accessible", event_time=_at(produced, 36, now), identifiers=item_paths,
        place_id=place[("dianleng-logistics", "shanghai-hub")].pk,
    )
