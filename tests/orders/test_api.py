"""The orders API: offers, a merchant's orders (ship, cancel, refund) and logistics deliveries, all scoped."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import Role
from xinren.orders.choices import OrderStatus, PaymentStatus
from xinren.orders.models import Offer, Order, Payment, Refund, Shipment

from ..factories import legacy_grant
from ..fixtures.api import assert_error, call, key_for
from .flows import order_shipped

pytestmark = [pytest.mark.django_db]


def test_set_and_list_offers(client, merchant_key, product):
    # when
    response = call(client, "PUT", f"/offers/{product.pk}", key=merchant_key,
                    body={"price_fen": 12800, "stock": 40})
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in ("product_id", "gtin", "product_name", "price_fen", "stock", "active")} == {
        "product_id": product.pk, "gtin": product.gtin, "product_name": product.name, "price_fen": 12800,
        "stock": 40, "active": True,
    }
    listed = call(client, "GET", "/offers", key=merchant_key).json()
    assert [offer["price_fen"] for offer in listed] == [12800]


def test_bad_offer_input_is_a_422_and_changes_nothing(client, merchant_key, product, offer):
    response = call(client, "PUT", f"/offers/{product.pk}", key=merchant_key, body={"price_fen": 0, "stock": 1})
    body = assert_error(response, 422, "offer.invalid")
    assert body["details"] == {"field": "price_fen"}
    assert Offer.objects.get(pk=offer.pk).price_fen == 12800


def test_another_merchants_product_is_404(client, other_merchant, product):
    response = call(client, "PUT", f"/offers/{product.pk}", key=key_for(other_merchant),
                    body={"price_fen": 100, "stock": 1})
    assert_error(response, 404, "offer.not_found")
    assert Offer.objects.count() == 0


def test_a_merchant_sees_its_order_with_phones_masked(client, merchant_key, consumer, paid_order):
    # when
    response = call(client, "GET", f"/orders/{paid_order.number}", key=merchant_key)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["number"], body["status"], body["total_fen"]) == (paid_order.number, "paid", 25600)
    assert (body["consumer_phone"], body["recipient_phone"]) == ("138****1234", "139****1111")
    assert "13812341234" not in response.content.decode() and "13900001111" not in response.content.decode()
    assert body["consumer"].startswith("u") and len(body["consumer"]) == 16
    assert [(p["status"], p["captured_fen"]) for p in body["payments"]] == [("captured", 25600)]
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [
        ("", "pending_payment"), ("pending_payment", "paid")
    ]
    assert body["shipment"] is None
    listed = call(client, "GET", "/orders?status=paid", key=merchant_key).json()
    assert (listed["count"], listed["items"][0]["number"], listed["items"][0]["quantity"]) == (
        1, paid_order.number, 2
    )


def test_other_merchants_do_not_see_the_order(client, other_merchant, paid_order):
    key = key_for(other_merchant)
    assert_error(call(client, "GET", f"/orders/{paid_order.number}", key=key), 404, "order.not_found")
    assert call(client, "GET", "/orders", key=key).json()["count"] == 0


def test_ship_through_the_api(client, settings, merchant_key, paid_order, items):
    # when
    response = call(client, "POST", f"/orders/{paid_order.number}/ship", key=merchant_key, body={
        "items": ["SN0001", items[1].digital_link.uri(settings.XINREN_RESOLVER)],
        "carrier": "顺丰速运", "tracking_number": "SF1234567890",
    })
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "shipped"
    assert [item["serial"] for item in body["lines"][0]["items"]] == ["SN0001", "SN0002"]
    assert body["lines"][0]["items"][0]["digital_link"] == items[0].digital_link.uri(settings.XINREN_RESOLVER)
    assert body["shipment"]["trace_event_id"].startswith("urn:uuid:")


def test_shipping_the_wrong_count_is_a_422(client, merchant_key, paid_order, items):
    response = call(client, "POST", f"/orders/{paid_order.number}/ship", key=merchant_key,
                    body={"items": ["SN0001"], "carrier": "顺丰速运", "tracking_number": "SF1234567890"})
    body = assert_error(response, 422, "shipment.items_invalid")
    assert body["details"] == {"field": "items", "gtin": paid_order.lines.get().gtin, "expected": 2, "given": 1}
    assert Shipment.objects.count() == 0


def test_a_viewer_key_cannot_ship(client, merchant, paid_order, items):
    response = call(client, "POST", f"/orders/{paid_order.number}/ship", key=key_for(merchant, Role.VIEWER),
                    body={"items": ["SN0001", "SN0002"], "carrier": "顺丰速运", "tracking_number": "SF1234567890"})
    assert_error(response, 403, "permission.role")
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.PAID


def test_cancel_refunds_the_consumer(client, merchant_key, paid_order):
    response = call(client, "POST", f"/orders/{paid_order.number}/cancel", key=merchant_key,
                    body={"reason": "暴雨封山，无法发货"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "暴雨封山，无法发货")
    assert [(p["status"], p["refunded_fen"]) for p in body["payments"]] == [("refunded", 25600)]


def test_refund_with_an_idempotency_header(client, merchant, paid_order):
    # given (API keys are staff or viewer at most; refunds need an admin, so use an admin's session)
    from xinren.accounts.models import Membership

    from ..fixtures.api import person

    admin = person()
    Membership.objects.create(user=admin, organization=merchant, role=Role.ADMIN)
    client.force_login(admin)
    # when the same request is sent twice
    responses = [
        call(client, "POST", f"/orders/{paid_order.number}/refunds", body={"amount_fen": 3000, "reason": "破损"},
             headers={"Idempotency-Key": "claim-42"})
        for _ in range(2)
    ]
    # then
    assert [r.status_code for r in responses] == [201, 201], responses[0].content
    assert responses[0].json()["id"] == responses[1].json()["id"]
    assert responses[0].json()["status"] == "succeeded"
    assert Refund.objects.count() == 1
    assert Payment.objects.get(order=paid_order).refunded_fen == 3000


def test_staff_keys_cannot_refund(client, merchant_key, paid_order):
    response = call(client, "POST", f"/orders/{paid_order.number}/refunds", key=merchant_key,
                    body={"amount_fen": 3000, "reason": "破损"})
    assert_error(response, 403, "permission.role")
    assert Payment.objects.get(order=paid_order).status == PaymentStatus.CAPTURED


def test_logistics_lists_and_confirms_deliveries(client, merchant_admin, logistics, paid_order, items):
    # given
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    shipment = order_shipped(merchant_admin, paid_order, items[:2], carrier_organization=logistics.slug)
    key = key_for(logistics)
    # when
    listed = call(client, "GET", "/shipments", key=key).json()
    response = call(client, "POST", f"/shipments/{shipment.pk}/deliver", key=key)
    # then
    assert [(s["id"], s["order"], s["status"]) for s in listed] == [(shipment.pk, paid_order.number, "in_transit")]
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["delivered_at"] is not None) == ("delivered", True)
    assert Order.objects.get(pk=paid_order.pk).status == OrderStatus.DELIVERED


def test_an_ungranted_logistics_firm_gets_404(client, merchant_actor, logistics, paid_order, items):
    shipment = order_shipped(merchant_actor, paid_order, items[:2])
    key = key_for(logistics)
    assert call(client, "GET", "/shipments", key=key).json() == []
    assert_error(call(client, "POST", f"/shipments/{shipment.pk}/deliver", key=key), 404, "shipment.not_found")
    assert Shipment.objects.get(pk=shipment.pk).status == "in_transit"


def test_anonymous_callers_are_refused(client, paid_order):
    assert_error(call(client, "GET", "/orders"), 401, "auth.required")


def test_the_schemas_keep_their_own_names_next_to_the_other_routers():
    # given the platform's API with every router mounted (OpenAPI schema names are global: a clash replaces one)
    from xinren.api.api import api
    # when
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    # then
    schemas = document["components"]["schemas"]
    assert set(schemas["ItemOut"]["properties"]) == {"id", "serial", "digital_link"}
    assert set(schemas["ShippedItemOut"]["properties"]) == {"serial", "lot", "digital_link"}
    operation_ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))
