"""The cold-chain API: legs, the readings batch endpoint, excursions, profiles and promises."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from tests.api.conftest import assert_error, call, key_for
from xinren.accounts.choices import Role
from xinren.coldchain.models import ColdChainProfile, Promise, Reading
from xinren.trace.services import event_record

from .conftest import Shipped, element, series

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier_key(shipped: Shipped) -> str:
    return key_for(shipped.carrier.organization, Role.STAFF)


@pytest.fixture
def merchant_key(shipped: Shipped) -> str:
    return key_for(shipped.merchant.organization, Role.STAFF)


def test_a_carrier_opens_its_leg_and_lists_it(client: Client, shipped: Shipped, carrier_key: str) -> None:
    # when
    opened = call(client, "POST", "/coldchain/legs", key=carrier_key,
                  body={"shipping_event_id": shipped.shipping.event_id})  # fmt: skip
    listed = call(client, "GET", "/coldchain/legs", key=carrier_key)
    # then
    assert opened.status_code == 201
    assert [leg["id"] for leg in opened.json()] == [shipped.leg.pk]
    leg = listed.json()[0]
    assert (leg["lot"], leg["gtin"], leg["from_place"], leg["reading_count"]) == (
        "NH20260701",
        shipped.product.gtin,
        "昆明分拨中心",
        0,
    )


def test_posting_a_batch_answers_with_the_digest_and_excursions(
    client: Client, shipped: Shipped, carrier_key: str, merchant_key: str
) -> None:
    # given
    body = {"readings": series(shipped.departed, [4.0, 9.5, 4.0])}
    # when
    posted = call(client, "POST", f"/coldchain/legs/{shipped.leg.pk}/readings", key=carrier_key, body=body)
    again = call(client, "POST", f"/coldchain/legs/{shipped.leg.pk}/readings", key=carrier_key, body=body)
    seen_by_merchant = call(client, "GET", f"/coldchain/legs/{shipped.leg.pk}/excursions", key=merchant_key)
    # then
    assert posted.status_code == 201, posted.content
    result = posted.json()
    assert (result["received"], result["stored"], result["duplicates"]) == (3, 3, 0)
    assert len(result["sha256"]) == 64 and len(result["leaf_hash"]) == 64
    assert [(e["kind"], e["peak"], e["duration_minutes"]) for e in result["excursions"]] == [("too_warm", 9.5, 5)]
    assert again.status_code == 200
    assert (again.json()["stored"], again.json()["duplicates"]) == (0, 3)
    assert [e["kind"] for e in seen_by_merchant.json()] == ["too_warm"]


def test_a_refused_batch_has_the_one_error_shape_and_stores_nothing(
    client: Client, shipped: Shipped, carrier_key: str
) -> None:
    # given
    body = {"readings": [element(shipped.departed, 4.0), element(shipped.departed + dt.timedelta(minutes=5), 40.1,
                                                                   uom="FAH")]}  # fmt: skip
    # when
    response = call(client, "POST", f"/coldchain/legs/{shipped.leg.pk}/readings", key=carrier_key, body=body)
    # then
    error = assert_error(response, 422, "coldchain.reading_unit_wrong")
    assert error["message"] == "温度单位须为 CEL（摄氏度），收到 FAH；系统不做单位换算"
    assert Reading.objects.count() == 0


def test_too_many_readings_get_a_clear_size_error(client: Client, shipped: Shipped, carrier_key: str) -> None:
    # given
    body = {"readings": [element(shipped.departed)] * 10_001}
    # when
    response = call(client, "POST", f"/coldchain/legs/{shipped.leg.pk}/readings", key=carrier_key, body=body)
    # then
    error = assert_error(response, 422, "coldchain.readings_too_many")
    assert error["message"] == "一次最多提交 10000 条读数，本次 10001 条；请分批提交"


def test_a_body_without_readings_is_refused(client: Client, shipped: Shipped, carrier_key: str) -> None:
    # when
    wrong_shape = call(client, "POST", f"/coldchain/legs/{shipped.leg.pk}/readings", key=carrier_key, body=[1])
    not_json = call(client, "POST", f"/coldchain/legs/{shipped.leg.pk}/readings", key=carrier_key, body="{nope")
    # then
    assert_error(wrong_shape, 422, "coldchain.readings_empty")
    assert_error(not_json, 400, "request.malformed")


def test_the_merchant_cannot_post_readings_and_strangers_cannot_see_the_leg(
    client: Client, shipped: Shipped, merchant_key: str, other_merchant
) -> None:  # type: ignore[no-untyped-def]
    # given
    body = {"readings": [element(shipped.departed)]}
    stranger = key_for(other_merchant, Role.STAFF)
    # when
    posted = call(client, "POST", f"/coldchain/legs/{shipped.leg.pk}/readings", key=merchant_key, body=body)
    peeked = call(client, "GET", f"/coldchain/legs/{shipped.leg.pk}/excursions", key=stranger)
    # then
    assert_error(posted, 403, "permission.organization_kind")
    assert_error(peeked, 404, "coldchain.leg_not_found")
    assert Reading.objects.count() == 0


def test_a_merchant_sets_the_profile_and_a_promise(client: Client, shipped: Shipped, merchant_key: str) -> None:
    # when
    profile = call(client, "PUT", f"/coldchain/products/{shipped.product.pk}/profile", key=merchant_key,
                   body={"temperature_min": "0", "temperature_max": "4", "tolerance_minutes": 15})  # fmt: skip
    promise = call(client, "PUT", f"/coldchain/products/{shipped.product.pk}/promise", key=merchant_key,
                   body={"hours": 48, "text": "48小时从产地到餐桌"})  # fmt: skip
    # then
    assert profile.status_code == 200, profile.content
    assert {k: profile.json()[k] for k in ("temperature_min", "temperature_max", "tolerance_minutes", "version")} == {
        "temperature_min": 0.0, "temperature_max": 4.0, "tolerance_minutes": 15, "version": 2
    }  # fmt: skip
    assert (promise.json()["hours"], promise.json()["text"]) == (48, "48小时从产地到餐桌")
    assert Promise.objects.get().active is True


def test_the_profile_comes_back_in_degrees_and_percent(client: Client, shipped: Shipped, merchant_key: str) -> None:
    # when
    response = call(client, "PUT", f"/coldchain/products/{shipped.product.pk}/profile", key=merchant_key,
                    body={"temperature_min": "-1.5", "temperature_max": "4.2", "humidity_min": "80",
                          "humidity_max": "85.5"})  # fmt: skip
    # then
    stored = ColdChainProfile.objects.get(product=shipped.product)
    assert (stored.temperature_min, stored.temperature_max, stored.humidity_min, stored.humidity_max) == (
        -15, 42, 800, 855
    )  # fmt: skip
    assert response.json() == {
        "product_id": shipped.product.pk, "temperature_min": -1.5, "temperature_max": 4.2, "humidity_min": 80.0,
        "humidity_max": 85.5, "tolerance_minutes": 0, "version": 2, "leaf_hash": stored.ledger_leaf_hash,
    }  # fmt: skip


def test_a_wrong_profile_through_the_api(client: Client, shipped: Shipped, merchant_key: str) -> None:
    # when
    response = call(client, "PUT", f"/coldchain/products/{shipped.product.pk}/profile", key=merchant_key,
                    body={"temperature_min": "5", "temperature_max": "4"})  # fmt: skip
    # then
    body = assert_error(response, 422, "coldchain.profile_invalid")
    assert body["details"] == {"field": "temperature_max"}
    assert json.loads(response.content)["message"] == "最低温度须低于最高温度"


def test_a_carrier_finds_shipments_it_has_not_opened_yet(client: Client, shipped: Shipped, carrier_key: str) -> None:
    # given: the merchant ships one more item itself
    event = event_record(
        actor=shipped.merchant, event_type="ObjectEvent", biz_step="shipping",
        event_time=shipped.departed + dt.timedelta(hours=3), identifiers=[shipped.items[0].digital_link.path],
    )  # fmt: skip
    # when
    listed = call(client, "GET", "/coldchain/shipments", key=carrier_key)
    # then
    assert listed.status_code == 200
    assert [(s["shipping_event_id"], s["recorded_by"]) for s in listed.json()] == [(event.event_id, "昆明山野菌菇店")]


def test_a_merchant_has_no_shipments_to_open(client: Client, shipped: Shipped, merchant_key: str) -> None:
    # when
    response = call(client, "GET", "/coldchain/shipments", key=merchant_key)
    # then
    assert_error(response, 403, "permission.organization_kind")
