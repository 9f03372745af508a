"""place_create and the linking of events to places."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Organization
from xinren.core.errors import Conflict, InvalidInput, PermissionDenied
from xinren.core.models import AuditEntry
from xinren.trace import errors, services
from xinren.trace.models import ExternalPrefix, Place

from ..factories import actor_for, legacy_grant
from .conftest import epcis, object_event


def test_a_place_with_a_gln_gets_a_digital_link_uri(merchant_actor: Actor) -> None:
    # when
    place = services.place_create(
        actor=merchant_actor,
        name="  南华县菌子山  ",
        latitude="25.2123456",
        longitude=101.27,
        gln="9520123456788",
        address="云南省楚雄州南华县",
    )

    # then
    place.refresh_from_db()
    assert (place.name, place.gln, place.address) == ("南华县菌子山", "9520123456788", "云南省楚雄州南华县")
    assert (place.latitude, place.longitude) == (Decimal("25.212346"), Decimal("101.270000"))
    assert place.uri == f"{settings.XINREN_RESOLVER}/414/9520123456788"
    assert place.organization == merchant_actor.organization
    assert AuditEntry.objects.filter(action="place.create", target_id=str(place.pk)).count() == 1


def test_a_place_without_a_gln_gets_a_uuid_urn(merchant_actor: Actor) -> None:
    # when
    place = services.place_create(actor=merchant_actor, name="昆明分拣中心")

    # then
    assert place.uri.startswith("urn:uuid:")
    assert len(place.uri) == len("urn:uuid:") + 36
    assert (place.latitude, place.longitude, place.gln) == (None, None, "")


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"latitude": "90.5", "longitude": "100"}, errors.PLACE_COORDINATE_INVALID, "latitude"),
        ({"latitude": "-91", "longitude": "100"}, errors.PLACE_COORDINATE_INVALID, "latitude"),
        ({"latitude": "25", "longitude": "180.1"}, errors.PLACE_COORDINATE_INVALID, "longitude"),
        ({"latitude": "25", "longitude": "-181"}, errors.PLACE_COORDINATE_INVALID, "longitude"),
        ({"latitude": "north", "longitude": "100"}, errors.PLACE_COORDINATE_INVALID, "latitude"),
        ({"latitude": "25"}, errors.PLACE_COORDINATE_INVALID, "longitude"),
        ({"gln": "9520123456787"}, errors.PLACE_GLN_INVALID, "gln"),
        ({"gln": "952012345678"}, errors.PLACE_GLN_INVALID, "gln"),
        ({"name": "   "}, errors.PLACE_INVALID, "name"),
        ({"address": "路" * 257}, errors.PLACE_INVALID, "address"),
    ],
)
def test_invalid_places_are_refused(merchant_actor: Actor, fields: dict[str, Any], code: str, field: str) -> None:
    # given
    arguments: dict[str, Any] = {"name": "菌子山"}
    arguments.update(fields)

    # when
    with pytest.raises(InvalidInput) as caught:
        services.place_create(actor=merchant_actor, **arguments)

    # then
    assert (caught.value.code, caught.value.details["field"]) == (code, field)
    assert Place.objects.count() == 0


def test_boundary_coordinates_are_accepted(merchant_actor: Actor) -> None:
    # when
    place = services.place_create(actor=merchant_actor, name="极点", latitude=-90, longitude=180)

    # then
    assert (place.latitude, place.longitude) == (Decimal("-90.000000"), Decimal("180.000000"))


def test_a_gln_is_registered_once(merchant_actor: Actor, other_actor: Actor) -> None:
    # given
    services.place_create(actor=merchant_actor, name="仓库", gln="9520123456788")

    # when
    with pytest.raises(Conflict) as caught:
        services.place_create(actor=other_actor, name="别的仓库", gln="9520123456788")

    # then
    assert caught.value.code == errors.PLACE_GLN_TAKEN
    assert Place.objects.count() == 1


def test_viewer_may_not_add_places(merchant: Organization) -> None:
    # when
    with pytest.raises(PermissionDenied):
        services.place_create(actor=actor_for(merchant, Role.VIEWER), name="仓库")

    # then
    assert Place.objects.count() == 0


def test_events_at_a_place_uri_or_its_gln_are_linked_to_it(merchant_actor: Actor) -> None:
    # given
    place = services.place_create(actor=merchant_actor, name="仓库", gln="0614141073467")
    document = epcis(
        object_event(bizLocation={"id": place.uri}),
        object_event(readPoint={"id": "urn:epc:id:sgln:0614141.07346.1234"}),  # a sub-location of the GLN
        object_event(readPoint={"id": "https://id.gs1.org/414/0614141073467"}),
        object_event(readPoint={"id": "urn:epc:id:sgln:0012345.11111.0"}),
    )

    # when
    events = services.epcis_capture(actor=merchant_actor, document=document)

    # then
    assert [event.place for event in events] == [place, place, place, None]


def test_places_of_unrelated_organizations_are_not_linked(merchant_actor: Actor, other_actor: Actor) -> None:
    # given
    foreign = services.place_create(actor=other_actor, name="茶山")

    # when
    [event] = services.epcis_capture(
        actor=merchant_actor, document=epcis(object_event(bizLocation={"id": foreign.uri}))
    )

    # then
    assert event.place is None
    assert event.biz_location == foreign.uri


def test_places_of_partners_are_linked_both_ways(
    merchant_actor: Actor, merchant_admin: Actor, logistics: Organization, logistics_actor: Actor
) -> None:
    # given: the merchant granted the logistics firm
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    ExternalPrefix.objects.create(organization=logistics, company_prefix="0614141")
    farm = services.place_create(actor=merchant_actor, name="菌子山")
    hub = services.place_create(actor=logistics_actor, name="上海冷库")

    # when
    [at_farm] = services.epcis_capture(
        actor=logistics_actor, document=epcis(object_event(bizLocation={"id": farm.uri}))
    )
    [at_hub] = services.epcis_capture(actor=merchant_actor, document=epcis(object_event(bizLocation={"id": hub.uri})))

    # then
    assert (at_farm.place, at_hub.place) == (farm, hub)
