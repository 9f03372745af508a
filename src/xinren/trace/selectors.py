"""Reads for trace events and places, and the EPCIS 2.0 export."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.catalog.models import Item
from xinren.core import clock
from xinren.core.errors import NotFound

from . import errors
from .epcis.documents import document_build
from .models import EventSubject, Place, TraceEvent


def event_list(*, actor: Actor) -> QuerySet[TraceEvent]:
    """Events the actor's organization recorded or that name its products, newest first."""
    concerns_own_products = EventSubject.objects.filter(event=OuterRef("pk"), product__merchant=actor.organization)
    return (
        TraceEvent.objects.filter(Q(organization=actor.organization) | Q(Exists(concerns_own_products)))
        .select_related("organization", "place")
        .order_by("-event_time", "-id")
    )


def event_get(*, actor: Actor, event_id: str) -> TraceEvent:
    """One event by its EPCIS eventID (the event itself rather than an error declaration about it)."""
    event = event_list(actor=actor).filter(event_id=event_id).order_by("is_error_declaration").first()
    if event is None:
        raise NotFound(errors.EVENT_NOT_FOUND, _("找不到该事件"), details={"eventID": event_id})
    return event


def place_list(*, actor: Actor) -> QuerySet[Place]:
    """The actor's organization's places."""
    return Place.objects.filter(organization=actor.organization).order_by("name", "id")


def events_for_item(*, item: Item) -> QuerySet[TraceEvent]:
    """Public: events naming the item, its lot as a whole, or its product as a whole (no lot), oldest first.

    Rows with `is_error_declaration` declare the earlier event with the same `event_id` erroneous.
    """
    subjects = EventSubject.objects.filter(event=OuterRef("pk"))
    names_item = subjects.filter(item=item)
    names_lot = subjects.filter(batch_id=item.batch_id, serial="")
    names_product = subjects.filter(product_id=item.product_id, lot="", serial="")
    return (
        TraceEvent.objects.filter(Q(Exists(names_item)) | Q(Exists(names_lot)) | Q(Exists(names_product)))
        .select_related("organization", "place")
        .order_by("event_time", "id")
    )


def epcis_document(*, events: Iterable[TraceEvent]) -> dict[str, Any]:
    """An EPCISDocument (EPCIS 2.0 JSON-LD) holding these events, for export."""
    return document_build(events=((event.document, event.context) for event in events), creation_date=clock.now())
