"""Reads for the consumer page, the console and other contexts (trust labels)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Q, QuerySet

from xinren.catalog.models import Batch, Product
from xinren.trace.models import EventSubject

from .choices import EvidenceStatus
from .models import Evidence


def evidence_for(
    *,
    product: Product,
    batch: Batch | None = None,
    purposes: Iterable[str] | None = None,
    active_only: bool = True,
) -> QuerySet[Evidence]:
    """The evidence a consumer page shows: on the product, and on a lot page also on the lot and the lot's
    shared events (events naming the lot, not single items). Active only unless asked otherwise.

    Rows carry `media` and `organization`; check their ledger state with `verification.evidence_proofs`.
    """
    shared_events = EventSubject.objects.filter(product=product, item__isnull=True)
    if batch is not None:
        condition = Q(product=product) | Q(batch=batch)
        shared_events = shared_events.filter(Q(batch=batch) | Q(batch__isnull=True))
    else:
        condition = Q(product=product)
        shared_events = shared_events.filter(batch__isnull=True)
    condition |= Q(event_id__in=shared_events.filter(event__is_error_declaration=False).values("event_id"))
    rows = Evidence.objects.filter(condition).select_related("media", "organization")
    if purposes is not None:
        rows = rows.filter(purpose__in=list(purposes))
    if active_only:
        rows = rows.filter(status=EvidenceStatus.ACTIVE)
    return rows.order_by(F("taken_at").asc(nulls_last=True), "created_at", "id")


def album_for(*, product: Product, batch: Batch | None) -> dict[str, Any] | None:
    """The trace album (溯源相册) of a product and lot for the consumer page, or None when it is empty."""
    return None
