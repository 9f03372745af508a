"""epcis_capture: whole EPCIS 2.0 documents, all or nothing; authorization; eventIDs; places."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, OrganizationStatus, Role
from xinren.accounts.models import Organization
from xinren.catalog.grants import partner_revoke
from xinren.catalog.models import Item
from xinren.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.trace import errors, services
from xinren.trace.epcis import documents
from xinren.trace.epcis.vocabulary import EPCIS_CONTEXT
from xinren.trace.models import EventSubject, TraceEvent

from ..factories import OrganizationFactory, actor_for, legacy_grant
from .conftest import CST, NOTHING, epcis, object_event, written


def _dl(item: Item) -> str:
    return f"https://id.example.cn{item.digital_link.path}"


def test_a_document_captures_every_event_in_order(merchant_actor: Actor, item: Item) -> None:
    # given
    document = epcis(
        object_event(eventID="urn:uuid:00000000-0000-4000-8000-000000000001", epcList=[_dl(item)]),
        object_event(bizStep="receiving", epcList=["urn:epc:id:sgtin:0614141.107346.2018"]),
        context=[EPCIS_CONTEXT, {"example": "http://ns.example.com/epcis/"}],
    )

    # when
    events = services.epcis_capture(actor=merchant_actor, document=document)

    # then
    assert [event.biz_step for event in events] == ["shipping", "receiving"]
    assert events[0].event_id == "urn:uuid:00000000-0000-4000-8000-000000000001"
    assert events[1].event_id.startswith("urn:uuid:")
    stored = TraceEvent.objects.get(pk=events[0].pk)
    assert stored.context == [{"example": "http://ns.example.com/epcis/"}]
    assert stored.document == {
        **object_event(epcList=[_dl(item)]),
        "eventID": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "recordTime": "2026-07-03T02:00:00.000+00:00",
    }
    assert EventSubject.objects.get(event=stored).item == item


def test_a_single_event_with_its_own_context_is_captured(merchant_actor: Actor, item: Item) -> None:
    # given
    event = object_event(epcList=[_dl(item)])
    event["@context"] = [EPCIS_CONTEXT, {"ex": "https://ns.example.com/"}]

    # when
    [captured] = services.epcis_capture(actor=merchant_actor, document=event)

    # then
    assert "@context" not in captured.document
    assert captured.context == [{"ex": "https://ns.example.com/"}]


def test_sensor_readings_and_quantities_are_captured(merchant_actor: Actor, item: Item) -> None:
    # given
    event = object_event(
        epcList=None,
        action="ADD",
        quantityList=[
            {"epcClass": f"https://id.example.cn{item.batch.digital_link.path}", "quantity": 20.5, "uom": "KGM"}
        ],
        sensorElementList=[
            {
                "sensorMetadata": {"time": "2026-07-01T08:00:00+08:00", "deviceID": "urn:epc:id:giai:6901234.1"},
                "sensorReport": [{"type": "Temperature", "value": 3.9, "uom": "CEL"}],
            }
        ],
    )

    # when
    [captured] = services.epcis_capture(actor=merchant_actor, document=epcis(event))

    # then
    subject = EventSubject.objects.get(event=captured)
    assert (subject.role, subject.batch, subject.item, str(subject.quantity), subject.uom) == (
        "quantity",
        item.batch,
        None,
        "20.500000",
        "KGM",
    )
    assert captured.document["sensorElementList"] == event["sensorElementList"]


# -- authorization --------------------------------------------------------------------------------------------------


def test_another_merchants_item_refuses_the_whole_document(merchant_actor: Actor, item: Item, other_item: Item) -> None:
    # given: the first event is about the merchant's own item, the second about another merchant's
    document = epcis(object_event(epcList=[_dl(item)]), object_event(epcList=[_dl(other_item)]))

    # when
    with pytest.raises(PermissionDenied) as caught:
        services.epcis_capture(actor=merchant_actor, document=document)

    # then
    assert caught.value.code == errors.IDENTIFIER_FORBIDDEN
    assert caught.value.details == {"event": 1, "field": "epcList[0]", "identifier": _dl(other_item)}
    assert written() == NOTHING


@pytest.mark.parametrize("level", ["item", "lot", "product", "unknown lot", "unknown serial"])
def test_no_level_of_another_merchants_product_may_be_named(
    merchant_actor: Actor, other_item: Item, level: str
) -> None:
    # given
    gtin = other_item.product.gtin
    identifier = {
        "item": f"/01/{gtin}/21/{other_item.serial}",
        "lot": f"/01/{gtin}/10/{other_item.batch.lot}",
        "product": f"/01/{gtin}",
        "unknown lot": f"/01/{gtin}/10/NOPE",
        "unknown serial": f"/01/{gtin}/21/NOPE",
    }[level]

    # when
    with pytest.raises(PermissionDenied):
        services.event_record(
            actor=merchant_actor,
            event_type="ObjectEvent",
            biz_step="shipping",
            event_time=dt.datetime(2026, 7, 1, 8, 30, tzinfo=CST),
            identifiers=[identifier],
        )

    # then
    assert written() == NOTHING


def test_logistics_without_a_grant_is_refused_and_with_one_accepted(
    merchant_admin: Actor, logistics: Organization, logistics_actor: Actor, item: Item
) -> None:
    # given
    document = epcis(object_event(epcList=[_dl(item)]))
    before = written()

    # when: no grant yet
    with pytest.raises(PermissionDenied) as caught:
        services.epcis_capture(actor=logistics_actor, document=copy.deepcopy(document))

    # then
    assert caught.value.code == errors.IDENTIFIER_FORBIDDEN
    assert written() == before

    # when: the merchant grants the logistics firm
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    [event] = services.epcis_capture(actor=logistics_actor, document=copy.deepcopy(document))

    # then
    assert event.organization == logistics
    assert EventSubject.objects.get(event=event).item == item

    # when: the grant is revoked
    partner_revoke(actor=merchant_admin, partner_slug=logistics.slug)
    with pytest.raises(PermissionDenied):
        services.epcis_capture(actor=logistics_actor, document=epcis(object_event(epcList=[_dl(item)])))

    # then
    assert TraceEvent.objects.count() == 1


def test_a_grant_to_another_partner_does_not_help(
    merchant_admin: Actor, logistics_actor: Actor, lab: Any, item: Item
) -> None:
    # given
    legacy_grant(actor=merchant_admin, partner_slug=lab.slug)

    # when
    with pytest.raises(PermissionDenied):
        services.epcis_capture(actor=logistics_actor, document=epcis(object_event(epcList=[_dl(item)])))

    # then
    assert TraceEvent.objects.count() == 0


def test_viewer_role_is_refused(merchant: Organization, item: Item) -> None:
    # given
    viewer = actor_for(merchant, Role.VIEWER)
    before = written()

    # when
    with pytest.raises(PermissionDenied) as caught:
        services.epcis_capture(actor=viewer, document=epcis(object_event(epcList=[_dl(item)])))

    # then
    assert caught.value.code == "permission.role"
    assert written() == before


@pytest.mark.parametrize("kind", [OrganizationKind.INSURER, OrganizationKind.REGULATOR, OrganizationKind.ALLIANCE])
def test_organizations_that_do_not_trace_are_refused(db: None, kind: str) -> None:
    # given
    actor = actor_for(OrganizationFactory(kind=kind), Role.OWNER)

    # when
    with pytest.raises(PermissionDenied) as caught:
        services.epcis_capture(actor=actor, document=epcis(object_event()))

    # then
    assert caught.value.code == "permission.organization_kind"
    assert TraceEvent.objects.count() == 0


def test_a_suspended_organization_is_refused(merchant: Organization, merchant_actor: Actor) -> None:
    # given
    Organization.objects.filter(pk=merchant.pk).update(status=OrganizationStatus.SUSPENDED)
    merchant.refresh_from_db()

    # when
    with pytest.raises(PermissionDenied) as caught:
        services.epcis_capture(actor=merchant_actor, document=epcis(object_event()))

    # then
    assert caught.value.code == "organization.suspended"
    assert TraceEvent.objects.count() == 0


def test_identifiers_not_registered_here_are_refused_until_declared_external(other_actor: Actor, db: None) -> None:
    # given: the GS1 example GTIN 0614141… is nobody's product here
    before = written()

    # when
    with pytest.raises(InvalidInput) as caught:
        services.epcis_capture(actor=other_actor, document=epcis(object_event()))

    # then
    assert caught.value.code == errors.IDENTIFIER_UNKNOWN
    assert caught.value.details == {
        "event": 0, "field": "epcList[0]", "identifier": "urn:epc:id:sgtin:0614141.107346.2017", "unknown": "product"
    }
    assert written() == before

    # when: the organization declares the company prefix external
    services.external_prefix_declare(actor=actor_for(other_actor.organization, Role.ADMIN), company_prefix="0614141")
    [event] = services.epcis_capture(actor=other_actor, document=epcis(object_event()))

    # then
    subject = EventSubject.objects.get(event=event)
    assert (subject.gtin, subject.serial, subject.product, subject.item, subject.external) == (
        "10614141073464", "2017", None, None, True
    )


# -- eventIDs ---------------------------------------------------------------------------------------------------------


def test_an_event_id_already_recorded_is_a_conflict(merchant_actor: Actor, other_actor: Actor) -> None:
    # given
    event_id = "urn:uuid:00000000-0000-4000-8000-000000000002"
    services.epcis_capture(actor=merchant_actor, document=epcis(object_event(eventID=event_id)))
    before = written()

    # when: another organization reuses it, next to a fresh event
    with pytest.raises(Conflict) as caught:
        services.epcis_capture(actor=other_actor, document=epcis(object_event(), object_event(eventID=event_id)))

    # then
    assert caught.value.code == errors.EVENT_ID_TAKEN
    assert caught.value.details == {"event": 1, "field": "eventID", "eventID": event_id}
    assert written() == before


def test_an_event_id_twice_in_one_document_is_a_conflict(merchant_actor: Actor) -> None:
    # given
    event_id = "urn:uuid:00000000-0000-4000-8000-000000000003"

    # when
    with pytest.raises(Conflict) as caught:
        services.epcis_capture(
            actor=merchant_actor, document=epcis(object_event(eventID=event_id), object_event(eventID=event_id))
        )

    # then
    assert caught.value.details["event"] == 1
    assert written() == NOTHING


def _declaration(event_id: str) -> dict[str, Any]:
    return object_event(
        eventID=event_id,
        errorDeclaration={"declarationTime": "2026-07-02T10:00:00+08:00", "reason": "incorrect_data"},
    )


def test_the_recorder_may_declare_its_event_erroneous_once(merchant_actor: Actor) -> None:
    # given
    event_id = "urn:uuid:00000000-0000-4000-8000-000000000004"
    [original] = services.epcis_capture(actor=merchant_actor, document=epcis(object_event(eventID=event_id)))

    # when
    [declaration] = services.epcis_capture(actor=merchant_actor, document=epcis(_declaration(event_id)))

    # then: both are kept; history is not edited
    assert (declaration.event_id, declaration.is_error_declaration) == (event_id, True)
    assert TraceEvent.objects.get(pk=original.pk).document == original.document

    # when: declared twice
    with pytest.raises(Conflict):
        services.epcis_capture(actor=merchant_actor, document=epcis(_declaration(event_id)))

    # then
    assert TraceEvent.objects.filter(event_id=event_id).count() == 2


def test_only_the_recorder_may_declare_an_event_erroneous(merchant_actor: Actor, other_actor: Actor) -> None:
    # given
    event_id = "urn:uuid:00000000-0000-4000-8000-000000000005"
    services.epcis_capture(actor=merchant_actor, document=epcis(object_event(eventID=event_id)))

    # when
    with pytest.raises(PermissionDenied) as caught:
        services.epcis_capture(actor=other_actor, document=epcis(_declaration(event_id)))

    # then
    assert caught.value.code == errors.ERROR_DECLARATION_FORBIDDEN
    assert TraceEvent.objects.filter(event_id=event_id).count() == 1


# -- all or nothing -------------------------------------------------------------------------------------------------


def test_a_failure_after_the_rows_are_written_rolls_everything_back(
    merchant_actor: Actor, item: Item, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the outbox fails after the events and their subjects were inserted
    def broken_outbox(**_: Any) -> None:
        assert TraceEvent.objects.count() == 2
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(services, "pages_mark_stale", broken_outbox)
    document = epcis(object_event(epcList=[_dl(item)]), object_event(bizStep="receiving", epcList=[_dl(item)]))

    # when
    with pytest.raises(RuntimeError):
        services.epcis_capture(actor=merchant_actor, document=document)

    # then
    assert written() == NOTHING


def test_the_last_invalid_event_of_many_refuses_them_all(merchant_actor: Actor, item: Item) -> None:
    # given
    events = [object_event(epcList=[_dl(item)]) for _ in range(50)]
    events.append(object_event(eventTimeZoneOffset="+8"))

    # when
    with pytest.raises(InvalidInput) as caught:
        services.epcis_capture(actor=merchant_actor, document=epcis(*events))

    # then
    assert caught.value.details == {"event": 50, "field": "eventTimeZoneOffset", "value": "+8"}
    assert written() == NOTHING


def test_more_events_than_the_limit_are_refused(merchant_actor: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setattr(documents, "MAX_EVENTS", 3)

    # when
    with pytest.raises(InvalidInput) as caught:
        services.epcis_capture(actor=merchant_actor, document=epcis(*[object_event() for _ in range(4)]))

    # then
    assert caught.value.code == errors.TOO_MANY_EVENTS
    assert caught.value.details == {"field": "epcisBody.eventList", "limit": 3, "count": 4}
    assert written() == NOTHING


def test_the_event_limit_is_ten_thousand() -> None:
    assert documents.MAX_EVENTS == 10_000


def test_a_document_over_the_size_limit_is_refused(merchant_actor: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    document = epcis(object_event())
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", len(json.dumps(document)) - 1)

    # when
    with pytest.raises(InvalidInput) as caught:
        services.epcis_capture(actor=merchant_actor, document=document)

    # then
    assert caught.value.code == errors.DOCUMENT_TOO_LARGE
    assert written() == NOTHING


def test_an_event_over_64_kib_is_refused(merchant_actor: Actor) -> None:
    # given
    event = object_event(**{"example:note": "x" * 70_000})

    # when
    with pytest.raises(InvalidInput) as caught:
        services.epcis_capture(
            actor=merchant_actor, document=epcis(event, context=[EPCIS_CONTEXT, {"example": "https://e.example/"}])
        )

    # then
    assert (caught.value.code, caught.value.details["event"]) == (errors.EVENT_TOO_LARGE, 0)


def test_successful_capture_marks_pages_stale_once_per_object(merchant_actor: Actor, item: Item) -> None:
    # given
    document = epcis(object_event(epcList=[_dl(item)]), object_event(bizStep="receiving", epcList=[_dl(item)]))

    # when
    services.epcis_capture(actor=merchant_actor, document=document)

    # then
    assert sorted(PageRefresh.objects.values_list("kind", "object_id")) == [
        ("batch", item.batch_id),
        ("item", item.pk),
        ("product", item.product_id),
    ]


def test_a_lot_that_does_not_match_the_items_lot_is_refused(merchant_actor: Actor, item: Item) -> None:
    # given
    wrong = f"https://id.example.cn/01/{item.product.gtin}/10/OTHERLOT/21/{item.serial}"

    # when
    with pytest.raises(InvalidInput) as caught:
        services.epcis_capture(actor=merchant_actor, document=epcis(object_event(epcList=[wrong])))

    # then
    assert caught.value.code == errors.IDENTIFIER_LOT_MISMATCH
    assert caught.value.details == {"event": 0, "field": "epcList[0]", "identifier": wrong}
    assert written() == NOTHING


def test_errors_are_domain_errors_with_translated_messages(merchant_actor: Actor) -> None:
    # when
    with pytest.raises(DomainError) as caught:
        services.epcis_capture(actor=merchant_actor, document=epcis(object_event(eventTime="yesterday")))

    # then
    assert caught.value.as_dict() == {
        "code": errors.TIME_INVALID,
        "message": "时间格式不正确，须为带时区的 ISO 8601 时间",
        "details": {"event": 0, "field": "eventTime", "value": "yesterday"},
    }
    assert caught.value.status == 422
