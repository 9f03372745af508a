"""The after-sales API: consumers with their session, merchants with an API key, operators; the one error shape."""

from __future__ import annotations

from django.test import Client

from xinren.accounts.choices import Role
from xinren.aftersales.models import AfterSaleRequest
from xinren.orders.models import Refund

from ..fixtures.accounts import browser_of
from ..fixtures.api import assert_error, call, key_for


def _body(line, **changes):  # type: ignore[no-untyped-def]
    return {"order_number": line.order.number, "line_id": line.pk, "kind": "refund_only", "reason": "不想要了",
            "amount_fen": 12800} | changes


def test_a_consumer_opens_and_the_merchant_agrees_through_the_api(consumer, merchant_key, line):
    browser = browser_of(consumer)
    # when
    opened = call(browser, "POST", "/aftersales/requests", body=_body(line))
    # then
    assert opened.status_code == 201, opened.content
    reference = opened.json()["reference"]
    assert (opened.json()["status"], opened.json()["amount_fen"]) == ("merchant_handling", 12800)
    queue = call(Client(), "GET", "/aftersales/merchant/requests", key=merchant_key)
    assert [item["reference"] for item in queue.json()["items"]] == [reference]
    agreed = call(Client(), "POST", f"/aftersales/merchant/requests/{reference}/agree", key=merchant_key)
    assert agreed.status_code == 200 and agreed.json()["status"] == "refunded"
    detail = call(browser, "GET", f"/aftersales/requests/{reference}")
    assert [d["decided_by"] for d in detail.json()["decisions"]] == ["merchant"]
    assert "13812341234" not in detail.content.decode()


def test_refusals_have_the_one_error_shape_and_change_nothing(consumer, other_consumer, other_merchant, line):
    browser = browser_of(consumer)
    assert_error(call(browser, "POST", "/aftersales/requests", body=_body(line, amount_fen=-5)), 422,
                 "aftersale.amount_invalid")
    assert_error(call(browser_of(other_consumer), "POST", "/aftersales/requests", body=_body(line)), 404,
                 "aftersale.line_not_found")
    assert_error(call(browser, "POST", "/aftersales/requests", body=_body(line, kind="gift")), 422,
                 "aftersale.kind_invalid")
    assert (AfterSaleRequest.objects.count(), Refund.objects.count()) == (0, 0)
    reference = call(browser, "POST", "/aftersales/requests", body=_body(line)).json()["reference"]
    assert_error(call(Client(), "POST", f"/aftersales/merchant/requests/{reference}/agree",
                      key=key_for(other_merchant)), 404, "aftersale.not_found")
    assert_error(call(Client(), "POST", f"/aftersales/merchant/requests/{reference}/refuse",
                      key=key_for(line.order.merchant, Role.STAFF), body={"reason": ""}), 422,
                 "aftersale.reason_required")
    assert AfterSaleRequest.objects.get().status == "merchant_handling"


def test_an_operator_decides_an_escalated_dispute(consumer, merchant_key, platform, line):
    browser = browser_of(consumer)
    reference = call(browser, "POST", "/aftersales/requests", body=_body(line)).json()["reference"]
    call(Client(), "POST", f"/aftersales/merchant/requests/{reference}/refuse", key=merchant_key,
         body={"reason": "已使用"})
    escalated = call(browser, "POST", f"/aftersales/requests/{reference}/escalate", body={"reason": "没有使用"})
    assert escalated.json()["status"] == "escalated"
    operator_key = key_for(platform, Role.STAFF)
    assert [i["reference"] for i in call(Client(), "GET", "/aftersales/disputes", key=operator_key).json()["items"]] \
        == [reference]
    assert_error(call(Client(), "GET", "/aftersales/disputes", key=merchant_key), 403, "permission.organization_kind")
    decided = call(Client(), "POST", f"/aftersales/disputes/{reference}/decide", key=operator_key,
                   body={"approve": False, "reason": "商品已拆封使用"})
    assert decided.json()["status"] == "closed"


def test_photos_uploaded_before_the_claim_pay_it_once_and_belong_to_their_uploader(
        consumer, other_consumer, line, run_tasks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xinren.aftersales.models import AfterSaleUpload

    from .conftest import picture

    browser = browser_of(consumer)
    # given: a photo uploaded before the claim (multipart), and one that is not an image
    uploaded = browser.post("/api/v1/aftersales/uploads",
                            {"media": [SimpleUploadedFile("a.jpg", picture(), content_type="image/jpeg")]})
    assert uploaded.status_code == 201, uploaded.content
    [upload] = uploaded.json()
    assert upload["kind"] == "image" and len(upload["sha256"]) == 64
    refused = browser.post("/api/v1/aftersales/uploads",
                           {"media": [SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")]})
    assert refused.status_code == 422 and AfterSaleUpload.objects.count() == 1
    claim = _body(line, kind="damaged", amount_fen=3000, upload_ids=[upload["id"]])
    # when another consumer names it, nothing is written
    assert_error(call(browser_of(other_consumer), "POST", "/aftersales/requests", body=claim), 404,
                 "aftersale.line_not_found")
    assert_error(call(browser, "POST", "/aftersales/requests", body=claim | {"upload_ids": [upload["id"] + 99]}),
                 422, "aftersale.upload_invalid")
    assert AfterSaleRequest.objects.count() == 0
    # when its uploader claims with it: decided by the rules in the call, paid by the task right after
    opened = call(browser, "POST", "/aftersales/requests", body=claim)
    assert opened.status_code == 201, opened.content
    assert opened.json()["status"] == "paying"
    run_tasks()
    assert AfterSaleRequest.objects.get().status == "paid" and Refund.objects.get().amount_fen == 3000
    assert AfterSaleRequest.objects.get().media.count() == 1
    # then the upload is used up: its file belongs to this claim now
    assert AfterSaleRequest.objects.get().media.get().media.sha256 == upload["sha256"]
    assert not AfterSaleUpload.objects.exists()


def test_an_upload_is_refused_to_another_consumer_and_after_a_day(consumer, other_consumer, line):
    import datetime as dt

    import pytest

    from xinren.aftersales.services import aftersale_open, aftersale_upload
    from xinren.core import clock
    from xinren.core.errors import InvalidInput

    from .conftest import picture

    theirs = aftersale_upload(consumer=other_consumer, media=[("a.jpg", picture())])[0]
    mine = aftersale_upload(consumer=consumer, media=[("b.jpg", picture())])[0]

    def open_with(upload_id: int) -> None:
        aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind="damaged",
                       reason="坏了", amount_fen=3000, upload_ids=[upload_id])

    with pytest.raises(InvalidInput) as refused:
        open_with(theirs.pk)
    assert refused.value.code == "aftersale.upload_invalid"
    with clock.played_at(clock.now() + dt.timedelta(hours=25)), pytest.raises(InvalidInput) as refused:
        open_with(mine.pk)
    assert refused.value.code == "aftersale.upload_invalid"
    assert AfterSaleRequest.objects.count() == 0
