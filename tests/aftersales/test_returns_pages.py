"""The pages of returns and evidence: the consumer books a pickup and adds evidence on the request page; the courier's
console lists the pickups (masked phone) and records "已揽收"; the merchant asks for evidence from its console."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from xinren.aftersales.choices import Kind, PickupStatus, Status
from xinren.aftersales.models import AfterSaleRequest, EvidenceRequest, ReturnPickup
from xinren.aftersales.services import aftersale_merchant_agree, aftersale_open
from xinren.aftersales.services.pickups import pickup_windows
from xinren.orders.services.addresses import address_create

from ..factories import OrganizationFactory, actor_for, legacy_grant
from ..fixtures.accounts import browser_of
from .conftest import picture


def _agreed_return(consumer, merchant_actor, line) -> AfterSaleRequest:  # type: ignore[no-untyped-def]
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.RETURN_REFUND, reason="七天无理由退货", amount_fen=12800)
    return aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)


def test_a_consumer_books_a_pickup_and_the_courier_collects_it_in_the_console(
        consumer, merchant_actor, merchant_admin, logistics, logistics_actor, line):
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    address = address_create(consumer=consumer, recipient_name="王小明", recipient_phone="13812341234",
                             region="上海市浦东新区", detail="张杨路 500 号")
    request = _agreed_return(consumer, merchant_actor, line)
    browser = browser_of(consumer)
    page = browser.get(f"/shop/aftersales/{request.reference}/").content.decode()
    assert "预约上门取件" in page and logistics.name in page
    window = pickup_windows()[0].value
    # a made-up window is refused with the reason, and nothing is booked
    refused = browser.post(f"/shop/aftersales/{request.reference}/pickup/",
                           {"address": address.pk, "window": "2020-01-01T09:00:00+08:00"}, follow=True)
    assert "请选择未来 3 天内可预约的取件时段" in refused.content.decode()
    assert ReturnPickup.objects.count() == 0
    booked = browser.post(f"/shop/aftersales/{request.reference}/pickup/", {"address": address.pk, "window": window})
    assert booked.status_code == 302
    pickup = ReturnPickup.objects.get()
    page = browser.get(f"/shop/aftersales/{request.reference}/").content.decode()
    assert pickup.tracking_number in page and "取消预约" in page and "提交运单" not in page
    # the merchant sees the booked pickup before the courier comes (not the consumer's address or phone)
    seller = browser_of(merchant_actor.user).get(f"/merchant/aftersales/{request.reference}/").content.decode()
    assert pickup.tracking_number in seller and logistics.name in seller and "张杨路" not in seller
    # the courier's console: the address and a masked phone
    courier = browser_of(logistics_actor.user)
    listing = courier.get("/merchant/pickups/").content.decode()
    assert "张杨路 500 号" in listing and "138****1234" in listing and "13812341234" not in listing
    # another logistics organization does not find it; a merchant has no such page
    stranger = actor_for(OrganizationFactory(name="别家物流", slug="other-logistics", kind="logistics"))
    assert browser_of(stranger.user).post(f"/merchant/pickups/{pickup.pk}/picked-up/").status_code == 404
    assert "张杨路" not in browser_of(stranger.user).get("/merchant/pickups/").content.decode()
    assert browser_of(merchant_actor.user).get("/merchant/pickups/").status_code == 403
    assert courier.post(f"/merchant/pickups/{pickup.pk}/picked-up/").status_code == 302
    pickup.refresh_from_db()
    request.refresh_from_db()
    assert (pickup.status, request.status) == (PickupStatus.PICKED_UP, Status.RETURN_IN_TRANSIT)


def test_the_merchant_asks_for_evidence_and_the_consumer_adds_it_on_the_request_page(consumer, merchant_actor, line):
    claim = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.DAMAGED,
                           reason="发霉", amount_fen=3000)
    console = browser_of(merchant_actor.user)
    assert "要求买家补充凭证" in console.get(f"/merchant/aftersales/{claim.reference}/").content.decode()
    assert console.post(f"/merchant/aftersales/{claim.reference}/evidence/", {"note": "请拍<b>开箱</b>照片"}
                        ).status_code == 302
    browser = browser_of(consumer)
    page = browser.get(f"/shop/aftersales/{claim.reference}/").content.decode()
    assert "请补充凭证" in page and "请拍&lt;b&gt;开箱&lt;/b&gt;照片" in page
    answered = browser.post(f"/shop/aftersales/{claim.reference}/evidence/", {
        "note": "见图", "photos": [SimpleUploadedFile("a.jpg", picture(), content_type="image/jpeg")]})
    assert answered.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.WAITING_MERCHANT
    assert EvidenceRequest.objects.get().status == "answered"


def test_an_operator_asks_for_evidence_from_the_dispute_page(consumer, merchant_actor, operator, line):
    from xinren.aftersales.services import aftersale_escalate, aftersale_merchant_refuse

    claim = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.DAMAGED,
                           reason="发霉", amount_fen=3000)
    aftersale_merchant_refuse(actor=merchant_actor, reference=claim.reference, reason="看不出问题")
    aftersale_escalate(consumer=consumer, reference=claim.reference, reason="确实发霉")
    console = browser_of(operator.user)
    page = console.get(f"/merchant/aftersales/disputes/{claim.reference}/").content.decode()
    assert "要求买家补充凭证" in page
    asked = console.post(f"/merchant/aftersales/{claim.reference}/evidence/", {"note": "请上传开箱视频"})
    assert asked.status_code == 302 and asked["Location"] == f"/merchant/aftersales/disputes/{claim.reference}/"
    assert AfterSaleRequest.objects.get().status == Status.WAITING_EVIDENCE
