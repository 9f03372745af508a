"""The demo's returns paths run through the services: a return with a pickup collected by the logistics organization,
signed for and refunded; a claim waiting for the consumer's evidence."""

from __future__ import annotations

from xinren.aftersales.choices import EvidenceRequestStatus, PickupStatus, Status
from xinren.aftersales.demo_returns import demo_returns_load
from xinren.aftersales.models import AfterSaleRequest
from xinren.orders.models import Offer

from ..factories import BatchFactory, ItemFactory, ProductFactory, legacy_grant


def test_the_demo_shows_a_pickup_return_and_a_claim_waiting_for_evidence(
        platform, consumer, merchant, merchant_admin, logistics, product_on_sale):
    # given the merchant's logistics partner, a tea and the fresh mushrooms on sale, with items to ship
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    tea = ProductFactory(merchant=merchant, name="普洱茶饼", category="tea")
    Offer.objects.create(merchant=merchant, product=tea, price_fen=5000, stock=10)
    for product in (tea, product_on_sale):
        ItemFactory(batch=BatchFactory(product=product))
    # when
    made = demo_returns_load(consumer=consumer)
    # then the return was collected by the logistics organization, signed for and refunded
    returned = AfterSaleRequest.objects.get(reference=made.references["pickup_return"])
    assert (returned.status, returned.refunded_fen) == (Status.REFUNDED, 5000)
    pickup = returned.pickups.get()
    assert (pickup.status, pickup.logistics) == (PickupStatus.PICKED_UP, logistics)
    assert pickup.hand_off_event is not None and returned.return_event is not None
    assert returned.handed_off_at < returned.received_at < returned.updated_at
    # and the claim waits for the consumer's photos
    claim = AfterSaleRequest.objects.get(reference=made.references["evidence"])
    assert claim.status == Status.WAITING_EVIDENCE
    assert claim.evidence_requests.get().status == EvidenceRequestStatus.OPEN
