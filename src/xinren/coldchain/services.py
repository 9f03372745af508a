"""Writes of the cold chain: a product's allowed range and promises (merchants), legs and readings (logistics)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.attest import keys, signing
from xinren.catalog.grants import grant_covers
from xinren.catalog.models import Batch, Product
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.trace.choices import BizStep
from xinren.trace.models import EventSubject, TraceEvent

from . import errors
from .choices import PromiseKind
from .events import MEASURED
from .ingest import IngestResult, leg_recompute, readings_ingest
from .models import ColdChainProfile, ItemDelivery, Leg, Promise
from .statements import COLDCHAIN_PROFILE, COLDCHAIN_PROMISE
from .status import origin_missing, product_has_start

__all__ = ["IngestResult", "item_deliveries_record", "leg_open", "profile_set", "promise_set", "readings_ingest"]

MAX_TOLERANCE_MINUTES = 24 * 60


def _own_product(actor: Actor, product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id, merchant=actor.organization).first()
    if product is None:
        raise NotFound(errors.PRODUCT_NOT_FOUND, _("找不到该商品"), details={"product_id": product_id})
    return product


def _tenths(value: Decimal | float | str | None, *, field: str, low: int, high: int, unit: str) -> int:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        number = Decimal("NaN")
    # The range first: quantizing a number as large as 1e170 to tenths raises InvalidOperation (it was a 500).
    if number.is_finite() and not low <= number <= high:
        raise InvalidInput(
            errors.PROFILE_INVALID,
            _("应在 %(low)s～%(high)s %(unit)s 之间") % {"low": low, "high": high, "unit": unit},
            details={"field": field, "value": str(value)},
        )
    if not number.is_finite() or number != number.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN):
        raise InvalidInput(
            errors.PROFILE_INVALID, _("请填写数字，最多一位小数"), details={"field": field, "value": str(value)}
        )
    return int(number * 10)


@transaction.atomic
def profile_set(
    *,
    actor: Actor,
    product_id: int,
    temperature_min: Decimal | float | str,
    temperature_max: Decimal | float | str,
    humidity_min: Decimal | float | str | None = None,
    humidity_max: Decimal | float | str | None = None,
    tolerance_minutes: int = 0,
) -> ColdChainProfile:
    """Set the range a product must travel in; a signed, versioned statement; excursions are recomputed."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = _own_product(actor, product_id)
    t_min = _tenths(temperature_min, field="temperature_min", low=-80, high=80, unit="°C")
    t_max = _tenths(temperature_max, field="temperature_max", low=-80, high=80, unit="°C")
    if t_min >= t_max:
        raise InvalidInput(errors.PROFILE_INVALID, _("最低温度须低于最高温度"), details={"field": "temperature_max"})
    given = [value not in (None, "") for value in (humidity_min, humidity_max)]
    h_min = h_max = None
    if any(given):
        if not all(given):
            raise InvalidInput(
                errors.PROFILE_INVALID,
                _("湿度范围须同时填写下限和上限"),
                details={"field": "humidity_max" if given[0] else "humidity_min"},
            )
        h_min = _tenths(humidity_min, field="humidity_min", low=0, high=100, unit="%")
        h_max = _tenths(humidity_max, field="humidity_max", low=0, high=100, unit="%")
        if h_min >= h_max:
            raise InvalidInput(errors.PROFILE_INVALID, _("湿度下限须低于上限"), details={"field": "humidity_max"})
    if (
        isinstance(tolerance_minutes, bool)
        or not isinstance(tolerance_minutes, int)
        or not (0 <= tolerance_minutes <= MAX_TOLERANCE_MINUTES)
    ):
        raise InvalidInput(
            errors.PROFILE_INVALID, _("容许超限时间应为 0～1440 分钟的整数"), details={"field": "tolerance_minutes"}
        )
    profile = ColdChainProfile.objects.select_for_update().filter(product=product).first()
    values = (t_min, t_max, h_min, h_max, tolerance_minutes)
    if profile is not None and values == (
        profile.temperature_min,
        profile.temperature_max,
        profile.humidity_min,
        profile.humidity_max,
        profile.tolerance_minutes,
    ):
        return profile
    if profile is None:
        profile = ColdChainProfile(product=product, version=1)
    else:
        profile.version += 1
    (
        profile.temperature_min,
        profile.temperature_max,
        profile.humidity_min,
        profile.humidity_max,
        profile.tolerance_minutes,
    ) = values
    profile.updated_by = actor.user
    statement: dict[str, Any] = {
        "type": COLDCHAIN_PROFILE.name,
        "subject": product.digital_link.uri(settings.XINREN_RESOLVER),
        "recorder": keys.owner_of(actor.organization),
        "version": profile.version,
        "temperature": {"min": t_min / 10, "max": t_max / 10, "uom": "CEL"},
        "humidity": None if h_min is None or h_max is None else {"min": h_min / 10, "max": h_max / 10, "uom": "P1"},
        "tolerance_minutes": tolerance_minutes,
    }
    profile.ledger_leaf_hash = signing.statement_sign_and_append(
        organization=actor.organization, statement=statement
    ).leaf_hash
    profile.save()
    batch_ids = set()
    for leg in Leg.objects.filter(batch__product=product).select_for_update().order_by("id"):
        leg_recompute(leg=leg, profile=profile)
        batch_ids.add(leg.batch_id)
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product.pk])
    MEASURED.announce(product_ids=[product.pk])
    if batch_ids:
        pages_mark_stale(kind=PageRefresh.Kind.BATCH, object_ids=batch_ids)
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="coldchain.profile_set",
        target=profile,
        data={"version": profile.version, "values": list(values)},
    )
    return profile


@transaction.atomic
def promise_set(
    *,
    actor: Actor,
    product_id: int,
    hours: int,
    text: str = "",
    active: bool = True,
    kind: str = PromiseKind.ORIGIN_TO_TABLE_HOURS,
) -> Promise:
    """Make (or change, or withdraw with active=False) a product's delivery promise; a signed statement."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = _own_product(actor, product_id)
    if kind not in PromiseKind.values:
        raise InvalidInput(errors.PROMISE_INVALID, _("不支持的承诺类型"), details={"field": "kind"})
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 2400:
        raise InvalidInput(errors.PROMISE_INVALID, _("承诺时效应为 1～2400 小时的整数"), details={"field": "hours"})
    text = " ".join(text.split()) or str(_("产地到餐桌 %(hours)d 小时") % {"hours": hours})
    if len(text) > 64:
        raise InvalidInput(errors.PROMISE_INVALID, _("承诺文字不能超过 64 字"), details={"field": "text"})
    if active and not product_has_start(product=product):
        # Nothing to measure from: the promise would read "kept" or "pending" forever on every page.
        raise InvalidInput(
            errors.PROMISE_NO_START,
            _("时效从批次的采收（或生产、赋码）记录起算，但该商品的批次都还没有这样的记录：请先为批次记录采收、生产或赋码事件，再作出承诺"),
            details={"field": "hours", "lots_without_start": origin_missing(product=product)[:20]},
        )
    promise = Promise.objects.select_for_update().filter(product=product, kind=kind).first()
    if promise is None:
        promise = Promise(product=product, kind=kind)
    promise.hours, promise.text, promise.active = hours, text, active
    statement = {
        "type": COLDCHAIN_PROMISE.name,
        "subject": product.digital_link.uri(settings.XINREN_RESOLVER),
        "recorder": keys.owner_of(actor.organization),
        "kind": kind,
        "hours": hours,
        "text": text,
        "active": active,
    }
    promise.ledger_leaf_hash = signing.statement_sign_and_append(
        organization=actor.organization, statement=statement
    ).leaf_hash
    promise.save()
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[product.pk])
    MEASURED.announce(product_ids=[product.pk])
    batch_ids = list(Batch.objects.filter(product=product).values_list("pk", flat=True))
    if batch_ids:
        pages_mark_stale(kind=PageRefresh.Kind.BATCH, object_ids=batch_ids)
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="coldchain.promise_set",
        target=promise,
        data={"kind": kind, "hours": hours, "text": text, "active": active},
    )
    return promise


@transaction.atomic
def leg_open(*, actor: Actor, shipping_event_id: str) -> list[Leg]:
    """Open the legs a shipping event starts (one per lot it carries), for the logistics organization that
    carries them: it recorded the event, or the lot's merchant recorded it and granted this organization."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.LOGISTICS])
    event = (
        TraceEvent.objects.filter(event_id=shipping_event_id, is_error_declaration=False)
        .select_related("place")
        .first()
    )
    if event is None:
        raise NotFound(
            errors.SHIPPING_EVENT_NOT_FOUND, _("找不到该发货事件"), details={"shipping_event_id": shipping_event_id}
        )
    if event.biz_step != BizStep.SHIPPING:
        raise InvalidInput(
            errors.SHIPPING_EVENT_INVALID,
            _("只能从发货（shipping）事件开始一段运输"),
            details={"shipping_event_id": shipping_event_id, "biz_step": event.biz_step},
        )
    if TraceEvent.objects.filter(event_id=shipping_event_id, is_error_declaration=True).exists():
        raise InvalidInput(
            errors.SHIPPING_EVENT_INVALID, _("该发货事件已被声明有误"), details={"shipping_event_id": shipping_event_id}
        )
    batches = list(
        Batch.objects.filter(pk__in=event.subjects.exclude(batch=None).values("batch_id"))
        .select_related("product")
        .order_by("pk")
    )
    if not batches:
        raise InvalidInput(
            errors.SHIPPING_EVENT_INVALID,
            _("该发货事件没有指明本平台登记的批次或单品"),
            details={"shipping_event_id": shipping_event_id},
        )
    merchants = set(Product.objects.filter(batches__in=batches).values_list("merchant_id", flat=True))
    recorded_by_carrier = event.organization_id == actor.organization.pk
    # Each lot must be covered by a grant in force (per product or per lot, ADR 0039).
    covered = all(grant_covers(partner=actor.organization, product=batch.product, batch=batch) for batch in batches)
    if not covered or not (recorded_by_carrier or event.organization_id in merchants):
        raise PermissionDenied(
            errors.LEG_FORBIDDEN,
            _("这批货不是由你承运，或商家未授权你记录其冷链数据"),
            details={"shipping_event_id": shipping_event_id},
        )
    legs = []
    for batch in batches:
        leg = Leg.objects.filter(shipping_event=event, batch=batch).first()
        if leg is not None and leg.organization_id != actor.organization.pk:
            raise PermissionDenied(
                errors.LEG_FORBIDDEN, _("这一段运输已由另一家物流机构登记"), details={"leg_id": leg.pk}
            )
        if leg is None:
            try:
                with transaction.atomic():
                    leg = Leg.objects.create(
                        organization=actor.organization,
                        batch=batch,
                        shipping_event=event,
                        from_place=event.place,
                        departed_at=event.event_time,
                    )
            except IntegrityError as exc:
                raise Conflict(errors.LEG_FORBIDDEN, _("这一段运输刚刚已被登记，请重试")) from exc
            audit_record(
                actor=actor.user,
                organization=actor.organization,
                action="coldchain.leg_open",
                target=leg,
                data={"shipping_event_id": shipping_event_id, "batch": batch.pk},
            )
        legs.append(leg)
    if legs:
        MEASURED.announce(product_ids=sorted({leg.batch.product_id for leg in legs}))
    return legs


@transaction.atomic
def item_deliveries_record(*, event: TraceEvent, by_buyer: bool) -> int:
    """Record that the items a delivery receipt names reached their buyer: one set-based write, however large the
    lot, so that its promises are re-measured by counting (ADR 0036). The orders context calls it with the receipt
    of a shipment it has just confirmed (by the carrier or by the buyer); returns how many items it recorded."""
    rows = list(
        EventSubject.objects.filter(event=event, item__isnull=False).values_list("item_id", "batch_id").distinct()
    )
    if not rows:
        return 0
    ItemDelivery.objects.bulk_create(
        [
            ItemDelivery(item_id=item_id, batch_id=batch_id, delivery_event=event, delivered_at=event.event_time,
                         by_buyer=by_buyer)
            for item_id, batch_id in rows
        ],
        update_conflicts=True, unique_fields=["item"], update_fields=["batch", "delivery_event", "delivered_at",
                                                                     "by_buyer"],
    )  # fmt: skip
    batch_ids = sorted({batch_id for _item, batch_id in rows})
    products = Batch.objects.filter(pk__in=batch_ids).values_list("product_id", flat=True)
    MEASURED.announce(product_ids=sorted(set(products)))
    # No page to mark: the receipt's capture queued the items', lots' and products' pages in this transaction.
    return len(rows)
