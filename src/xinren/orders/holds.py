"""Items kept out of sale (`SaleHold`): which are held, and the one write that holds them.

A context above (aftersales recalls) holds a lot or single items; stock (`stock.py`) does not count them and
shipping (`services/shipping.py`) refuses them. See docs/recalls.md and ADR recalls-hold-stock-below-aftersales.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from xinren.catalog.models import Batch, Item

from .models import SaleHold


def held_q() -> Q:
    """A filter on Item rows: the item is held, by an active hold on its lot or on itself."""
    active = SaleHold.objects.filter(released_at__isnull=True)
    return Q(batch_id__in=active.filter(batch__isnull=False).values("batch_id")) | Q(
        pk__in=active.filter(item__isnull=False).values("item_id")
    )


def items_held(items: Iterable[Item]) -> dict[int, SaleHold]:
    """The active hold of each of these items that is held, by item id."""
    items = list(items)
    holds = SaleHold.objects.filter(released_at__isnull=True).filter(
        Q(item_id__in=[i.pk for i in items]) | Q(batch_id__in={i.batch_id for i in items})
    ).order_by("id")
    by_batch: dict[int, SaleHold] = {}
    by_item: dict[int, SaleHold] = {}
    for hold in holds:
        if hold.batch_id is not None:
            by_batch.setdefault(hold.batch_id, hold)
        elif hold.item_id is not None:
            by_item.setdefault(hold.item_id, hold)
    found: dict[int, SaleHold] = {}
    for item in items:
        held = by_item.get(item.pk) or by_batch.get(item.batch_id)
        if held is not None:
            found[item.pk] = held
    return found


def sale_hold_place(*, reference: str, reason: str, batch: Batch | None = None,
                    items: Iterable[Item] = ()) -> list[SaleHold]:
    """Hold a whole lot, or these items, under `reference` (call inside the caller's transaction; the caller has
    checked who may). Placing the same hold again adds nothing."""
    if batch is not None:
        hold, _created = SaleHold.objects.get_or_create(reference=reference, batch=batch, defaults={"reason": reason})
        return [hold]
    wanted = {item.pk for item in items}
    have = set(SaleHold.objects.filter(reference=reference, item_id__in=wanted).values_list("item_id", flat=True))
    SaleHold.objects.bulk_create(
        [SaleHold(reference=reference, item_id=pk, reason=reason) for pk in sorted(wanted - have)]
    )
    return list(SaleHold.objects.filter(reference=reference).order_by("id"))
