"""Trace events and the places they happen at."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import TRACE_KINDS, Role
from xinren.catalog.selectors import batch_list_recordable
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.trace import selectors, services
from xinren.trace.choices import BizStep, Disposition
from xinren.trace.models import EventSubject, TraceEvent

from ..console import console_view, form_error, render_console
from ..forms import EventForm, PlaceForm, SensorReadingFormSet, event_form_initial, sensor_readings

PAGE_SIZE = 50
SUBJECTS_SHOWN = 3
_BIZ_STEPS = dict(BizStep.choices)
_DISPOSITIONS = dict(Disposition.choices)


def _term_label(value: str, labels: Mapping[str, Any]) -> str:
    """The label of a CBV term given as a short name, a URN or a GS1 web URI; custom URIs stay as they are."""
    return str(labels.get(re.split(r"[:/-]", value)[-1], value)) if value else ""


@dataclass(frozen=True)
class EventRow:
    event: TraceEvent
    biz_step: str
    disposition: str
    subjects: list[EventSubject]
    more: int


def _row(event: TraceEvent) -> EventRow:
    subjects = list(event.subjects.all())
    return EventRow(
        event=event,
        biz_step=_term_label(event.biz_step, _BIZ_STEPS),
        disposition=_term_label(event.disposition, _DISPOSITIONS),
        subjects=subjects[:SUBJECTS_SHOWN],
        more=max(0, len(subjects) - SUBJECTS_SHOWN),
    )


@console_view(kinds=TRACE_KINDS)
def event_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    events = (
        selectors.event_list(actor=actor)
        .select_related("organization", "place")
        .prefetch_related("subjects")
        .order_by("-event_time", "-id")
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": [_row(event) for event in page.object_list]}
    return render_console(request, actor, "merchant/event_list.html", context)


@console_view(role=Role.STAFF, kinds=TRACE_KINDS)
def event_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    data = request.POST or None
    form = EventForm(
        data,
        initial=event_form_initial(now=clock.now()),
        places=selectors.place_list(actor=actor),
        batches=batch_list_recordable(actor=actor),
        resolver=settings.XINREN_RESOLVER,
    )
    sensors = SensorReadingFormSet(data, prefix="sensor")
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and sensors.is_valid():
            cleaned = form.cleaned_data
            place = cleaned["place"]
            try:
                services.event_record(
                    actor=actor,
                    event_type=cleaned["event_type"],
                    biz_step=cleaned["biz_step"],
                    event_time=cleaned["event_time"],
                    identifiers=cleaned["identifier_list"],
                    action=cleaned["action"],
                    disposition=cleaned["disposition"],
                    place_id=place.pk if place is not None else None,
                    quantity=cleaned["quantity"],
                    uom=cleaned["uom"],
                    parent=cleaned["parent"],
                    outputs=cleaned["output_list"],
                    sensor_readings=sensor_readings(sensors, zone=cleaned["time_zone"]),
                )
            except DomainError as exc:
                status = form_error(form, exc, form.domain_error_fields)
            else:
                messages.success(request, _("溯源事件已记录"))
                return redirect("merchant:event_list")
    context = {"form": form, "sensors": sensors}
    return render_console(request, actor, "merchant/event_form.html", context, status=status)


@console_view(kinds=TRACE_KINDS)
def place_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PlaceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                place = services.place_create(
                    actor=actor,
                    name=form.cleaned_data["name"],
                    latitude=form.cleaned_data["latitude"],
                    longitude=form.cleaned_data["longitude"],
                    gln=form.cleaned_data["gln"],
                    address=form.cleaned_data["address"],
                )
            except DomainError as exc:
                status = form_error(form, exc, form.domain_error_fields)
            else:
                messages.success(request, _("地点“%(name)s”已添加") % {"name": place.name})
                return redirect("merchant:place_list")
    context = {"form": form, "places": selectors.place_list(actor=actor)}
    return render_console(request, actor, "merchant/place_list.html", context, status=status)
