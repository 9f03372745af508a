"""The consumer's pages: the entry on the order page, the prefilled form, the request's steps and decisions; the
merchant console's queue and decisions; operators' disputes."""

from __future__ import annotations

import re

from xinren.accounts.choices import Role
from xinren.aftersales.choices import Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.services import aftersale_merchant_refuse, aftersale_open
from xinren.orders.models import Refund

from ..factories import MembershipFactory, UserFactory
from ..fixtures.accounts import browser_of
from .conftest import picture


def _staff_browser(organization, role=Role.STAFF):  # type: ignore[no-untyped-def]
    user = UserFactory()
    MembershipFactory(user=user, organization=organization, role=role)
    return browser_of(user)


def test_the_order_page_offers_after_sale_and_the_form_is_prefilled(consumer, line):
    browser = browser_of(consumer)
    page = browser.get(f"/shop/orders/{line.order.number}/")
    assert f"/shop/orders/{line.order.number}/aftersales/new/?line={line.pk}" in page.content.decode()
    form = browser.get(f"/shop/orders/{line.order.number}/aftersales/new/?line={line.pk}&kind=refund_only&recall=3")
    assert form.status_code == 200
    html = form.content.decode()
    assert re.search(r'value="refund_only"[^>]*checked', html)
    assert re.search(rf'value="{line.pk}"[^>]*selected', html)
    assert "128.00" in html and "召回" in html


def test_a_consumer_opens_a_claim_with_a_photo_and_sees_the_rule_that_paid_it(consumer, line, run_tasks):
    browser = browser_of(consumer)
    from django.core.files.uploadedfile import SimpleUploadedFile
    response = browser.post(f"/shop/orders/{line.order.number}/aftersales/new/", {
        "line": line.pk, "kind": "damaged", "amount": "30.00", "reason": "<b>发霉</b>了",
        "photos": [SimpleUploadedFile("a.jpg", picture(), content_type="image/jpeg")],
    })
    request = AfterSaleRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/shop/aftersales/{request.reference}/"
    assert request.status == Status.PAYING  # decided; the provider pays out right after
    paying = browser.get(response["Location"]).content.decode()
    assert "赔付中" in paying and "正在由支付机构原路退回" in paying
    run_tasks()
    assert AfterSaleRequest.objects.get().status == Status.PAID
    page = browser.get(response["Location"]).content.decode()
    assert "正在由支付机构原路退回" not in page
    assert "2026.12-1" in page and "&lt;b&gt;发霉&lt;/b&gt;" in page
    assert request.media.get().media.thumbnail_url in page


def test_a_refused_form_shows_the_reason_and_changes_nothing(consumer, line):
    response = browser_of(consumer).post(f"/shop/orders/{line.order.number}/aftersales/new/", {
        "line": line.pk, "kind": "refund_only", "amount": "500.00", "reason": "不想要了"})
    assert response.status_code == 409
    assert "可退金额" in response.content.decode()
    assert AfterSaleRequest.objects.count() == 0


def test_another_consumers_request_is_not_found(consumer, other_consumer, line):
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind="refund_only", reason="不想要了", amount_fen=100)
    assert browser_of(other_consumer).get(f"/shop/aftersales/{request.reference}/").status_code == 404
    assert browser_of(consumer).get(f"/shop/aftersales/{request.reference}/").status_code == 200


def test_the_merchant_console_queue_and_decisions(consumer, merchant, other_merchant, line):
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind="refund_only", reason="不想要了", amount_fen=12800)
    browser = _staff_browser(merchant)
    queue = browser.get("/merchant/aftersales/")
    assert queue.status_code == 200 and request.reference in queue.content.decode()
    assert "13812341234" not in queue.content.decode()
    assert _staff_browser(other_merchant).get(f"/merchant/aftersales/{request.reference}/").status_code == 404
    refused = browser.post(f"/merchant/aftersales/{request.reference}/refuse/", {"reason": ""})
    assert AfterSaleRequest.objects.get().status == Status.MERCHANT_HANDLING and refused.status_code == 302
    browser.post(f"/merchant/aftersales/{request.reference}/agree/")
    assert AfterSaleRequest.objects.get().status == Status.REFUNDED
    assert Refund.objects.get().amount_fen == 12800


def test_an_operator_decides_a_dispute_in_the_console(consumer, merchant_actor, platform, line):
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind="refund_only", reason="不想要了", amount_fen=12800)
    aftersale_merchant_refuse(actor=merchant_actor, reference=request.reference, reason="已拆封")
    browser_of(consumer).post(f"/shop/aftersales/{request.reference}/escalate/", {"reason": "没有拆封"})
    assert AfterSaleRequest.objects.get().status == Status.ESCALATED
    operator = _staff_browser(platform)
    assert request.reference in operator.get("/merchant/aftersales/disputes/").content.decode()
    operator.post(f"/merchant/aftersales/disputes/{request.reference}/", {
        "approve": "1", "amount": "100.00", "reason": "照片显示未拆封"})
    assert (AfterSaleRequest.objects.get().status, Refund.objects.get().amount_fen) == (Status.REFUNDED, 10000)


def test_a_decision_tells_the_consumer(consumer, line, run_tasks):
    from xinren.notify.models import Notification

    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind="damaged",
                             reason="坏了", amount_fen=3000, media=[("a.jpg", picture())])
    run_tasks()
    notice = Notification.objects.get(kind="aftersale_decided")
    assert (notice.user_id, notice.link, notice.params["decision"]) == (
        consumer.pk, f"/shop/aftersales/{request.reference}/", "同意")


def test_operators_read_requests_in_the_admin(admin_client, consumer, line):  # type: ignore[no-untyped-def]
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind="refund_only", reason="不想要了", amount_fen=100)
    page = admin_client.get(f"/admin/aftersales/aftersalerequest/{request.pk}/change/")
    assert page.status_code == 200 and request.reference in page.content.decode()
