"""The API of returns and evidence: opening with photos (multipart), answering an evidence request, booking a pickup,
the courier's pickups; refusals in the one error shape, and nothing stored."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinren.aftersales.models import AfterSaleMedia, AfterSaleRequest, ReturnPickup
from xinren.evidence.models import MediaFile
from xinren.orders.services.addresses import address_create

from ..factories import legacy_grant
from ..fixtures.accounts import browser_of
from ..fixtures.api import assert_error, call
from .conftest import picture

API = "/api/v1/aftersales"


def _jpeg(name: str = "a.jpg", colour: tuple[int, int, int] = (200, 40, 40)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, picture(colour), content_type="image/jpeg")


def _form(line, **changes):  # type: ignore[no-untyped-def]
    return {"order_number": line.order.number, "line_id": line.pk, "kind": "damaged", "reason": "外箱压坏",
            "amount_fen": 3000} | changes


def test_a_claim_opened_with_a_photo_over_the_api_is_decided_by_the_rules(consumer, platform, line):
    browser = browser_of(consumer)
    opened = browser.post(API, data={**_form(line), "media": [_jpeg()]})
    assert opened.status_code == 201, opened.content
    # a photo and fresh food: the rules approve and pay at once
    assert opened.json()["status"] in ("paying", "paid")
    assert AfterSaleMedia.objects.count() == 1


def test_wrong_or_too_many_files_are_refused_and_nothing_is_stored(consumer, platform, line):
    browser = browser_of(consumer)
    wrong = SimpleUploadedFile("a.jpg", b"plain text, not a picture", content_type="image/jpeg")
    assert_error(browser.post(API, data={**_form(line), "media": [_jpeg(), wrong]}), 422,
                 "evidence.type_unknown")
    many = [_jpeg(f"{n}.jpg", (n * 20, 5, 5)) for n in range(10)]
    assert_error(browser.post(API, data={**_form(line), "media": many}), 422,
                 "aftersale.media_limit")
    assert (AfterSaleRequest.objects.count(), MediaFile.objects.count()) == (0, 0)


def test_the_merchant_asks_for_evidence_and_the_consumer_uploads_it(consumer, merchant_key, platform, line):
    browser = browser_of(consumer)
    reference = browser.post(API, data=_form(line)).json()["reference"]
    # without a photo the claim went to the merchant, who asks for one
    asked = call(Client(), "POST", f"/aftersales/merchant/requests/{reference}/evidence", key=merchant_key,
                 body={"note": "请拍开箱照片"})
    assert asked.status_code == 201 and asked.json()["status"] == "open"
    # a wrong file is refused and nothing stored; the right one sends the claim back to the merchant
    wrong = SimpleUploadedFile("x.mp4", b"not a video", content_type="video/mp4")
    assert_error(browser.post(f"{API}/requests/{reference}/media", data={"note": "见图", "media": [wrong]}), 422,
                 "evidence.type_unknown")
    assert MediaFile.objects.count() == 0
    answered = browser.post(f"{API}/requests/{reference}/media", data={"note": "见图", "media": [_jpeg()]})
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "waiting_merchant"
    listed = call(browser, "GET", f"/aftersales/requests/{reference}/evidence-requests").json()
    assert [(e["status"], e["answer_note"]) for e in listed] == [("answered", "见图")]
    # nothing is waiting any more
    assert_error(browser.post(f"{API}/requests/{reference}/media", data={"note": "再补", "media": [_jpeg()]}), 409,
                 "aftersale.transition_invalid")


def test_a_pickup_is_booked_and_collected_over_the_api(consumer, other_consumer, merchant_key, merchant_admin,
                                                        logistics, logistics_key, line):
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    address = address_create(consumer=consumer, recipient_name="王小明", recipient_phone="13812341234",
                             region="上海市浦东新区", detail="张杨路 500 号")
    browser = browser_of(consumer)
    reference = call(browser, "POST", "/aftersales/requests", body={
        "order_number": line.order.number, "line_id": line.pk, "kind": "return_refund", "reason": "七天无理由",
        "amount_fen": 12800}).json()["reference"]
    assert call(browser, "GET", f"/aftersales/requests/{reference}/pickup").json()["offered"] is False
    call(Client(), "POST", f"/aftersales/merchant/requests/{reference}/agree", key=merchant_key)
    options = call(browser, "GET", f"/aftersales/requests/{reference}/pickup").json()
    assert (options["offered"], options["logistics"], options["pickup"]) == (True, logistics.name, None)
    assert [a["id"] for a in options["addresses"]] == [address.pk]
    window = options["windows"][0]["start"]
    # another consumer cannot book it
    assert_error(call(browser_of(other_consumer), "POST", f"/aftersales/requests/{reference}/pickup",
                      body={"address_id": address.pk, "window_start": window}), 404, "aftersale.not_found")
    assert_error(call(browser, "POST", f"/aftersales/requests/{reference}/pickup",
                      body={"address_id": address.pk, "window_start": "2020-01-01T09:00:00+08:00"}), 422,
                 "aftersale.pickup_window_invalid")
    assert ReturnPickup.objects.count() == 0
    booked = call(browser, "POST", f"/aftersales/requests/{reference}/pickup",
                  body={"address_id": address.pk, "window_start": window})
    assert booked.status_code == 201, booked.content
    assert (booked.json()["status"], booked.json()["fee_bearer"]) == ("booked", "consumer")
    # the courier's list shows the address with a masked phone
    pickups = call(Client(), "GET", "/aftersales/pickups", key=logistics_key).json()
    assert [(p["reference"], p["recipient_phone_masked"]) for p in pickups] == [(reference, "138****1234")]
    assert "13812341234" not in str(pickups)
    # the merchant is not a logistics organization
    assert_error(call(Client(), "GET", "/aftersales/pickups", key=merchant_key), 403, "permission.organization_kind")
    collected = call(Client(), "POST", f"/aftersales/pickups/{pickups[0]['id']}/picked-up", key=logistics_key)
    assert collected.status_code == 200 and collected.json()["status"] == "picked_up"
    assert AfterSaleRequest.objects.get().status == "return_in_transit"
