"""The merchant contacts the hurt customer and offers a remedy within the after-sales rules; the customer accepts
(an after-sale request opens in their name and the merchant's agreement follows) or declines, then rates."""

from __future__ import annotations

import pytest

from xinren.accounts.models import User
from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.care import errors, services
from xinren.care.choices import OfferKind, OfferStatus, SourceKind, TicketStatus
from xinren.care.models import CareOffer, CareTicket
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.notify.models import Notification
from xinren.orders.models import OrderLine
from xinren.reviews.services import review_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(line: OrderLine, consumer: User) -> CareTicket:
    review = review_post(consumer=consumer, line_id=line.pk, stars=2, text="盒子压坏了，蘑菇都碎了")
    services.voice_classify(source_kind=SourceKind.REVIEW, source_id=review.pk)
    return CareTicket.objects.get()


def test_contact_then_offer_tells_the_customer(ticket: CareTicket, merchant_actor, consumer: User) -> None:
    # when the merchant calls the customer and offers a ¥30 compensation
    services.ticket_contact(actor=merchant_actor, ticket_id=ticket.pk, note="已电话联系，买家希望赔付")
    offer = services.offer_make(
        actor=merchant_actor,
        ticket_id=ticket.pk,
        kind=OfferKind.COMPENSATION,
        amount_fen=3000,
        message="非常抱歉，给您赔付 30 元",
    )
    # then the ticket waits for the customer, who has a notice linking to it
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee_id, offer.status) == (
        TicketStatus.OFFER_MADE,
        merchant_actor.user.pk,
        OfferStatus.PENDING,
    )
    assert "已电话联系" in ticket.notes
    notice = Notification.objects.get(user=consumer)
    assert (notice.kind, notice.link) == ("care_offer", f"/care/tickets/{ticket.pk}/")
    assert notice.params["offer"] == "赔付 ¥30.00"


def test_an_offer_beyond_the_line_is_refused(ticket: CareTicket, merchant_actor) -> None:
    with pytest.raises(Conflict) as caught:
        services.offer_make(
            actor=merchant_actor, ticket_id=ticket.pk, kind=OfferKind.REFUND, amount_fen=12801, message="全额退款"
        )
    assert caught.value.code == errors.OFFER_AMOUNT_EXCEEDS
    assert caught.value.details["available_fen"] == 12800
    ticket.refresh_from_db()
    assert (ticket.status, CareOffer.objects.count(), Notification.objects.count()) == (TicketStatus.OPEN, 0, 0)


@pytest.mark.parametrize("kind, amount", [("voucher", 100), (OfferKind.REFUND, 0), (OfferKind.REFUND, -5)])
def test_bad_offers_are_refused(ticket: CareTicket, merchant_actor, kind: str, amount: int) -> None:
    with pytest.raises(InvalidInput):
        services.offer_make(actor=merchant_actor, ticket_id=ticket.pk, kind=kind, amount_fen=amount, message="x")
    assert CareOffer.objects.count() == 0


def test_another_merchant_cannot_touch_the_ticket(ticket: CareTicket, other_actor) -> None:
    with pytest.raises(NotFound):
        services.ticket_contact(actor=other_actor, ticket_id=ticket.pk, note="hi")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.notes) == (TicketStatus.OPEN, "")


def test_accepting_a_refund_opens_and_agrees_the_aftersale(ticket: CareTicket, merchant_actor, consumer: User) -> None:
    # given a ¥50 refund offer
    services.offer_make(
        actor=merchant_actor, ticket_id=ticket.pk, kind=OfferKind.REFUND, amount_fen=5000, message="退您 50 元"
    )
    # when the customer accepts it
    offer = services.offer_answer(consumer=consumer, ticket_id=ticket.pk, accept=True)
    # then an after-sale request was opened in their name, and the merchant's agreement refunded it
    request = AfterSaleRequest.objects.get()
    assert offer.aftersale_id == request.pk and offer.status == OfferStatus.ACCEPTED
    assert (request.consumer_id, request.kind, request.amount_fen) == (consumer.pk, Kind.REFUND_ONLY, 5000)
    assert request.status == Status.REFUNDED
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    # and the customer rates the call-back once
    services.ticket_rate(consumer=consumer, ticket_id=ticket.pk, score=5, comment="很及时")
    with pytest.raises(Conflict):
        services.ticket_rate(consumer=consumer, ticket_id=ticket.pk, score=1)
    ticket.refresh_from_db()
    assert (ticket.satisfaction, ticket.satisfaction_comment) == (5, "很及时")


def test_declining_goes_back_to_the_merchant(ticket: CareTicket, merchant_actor, consumer: User) -> None:
    services.offer_make(
        actor=merchant_actor, ticket_id=ticket.pk, kind=OfferKind.REPLACEMENT, amount_fen=0, message="给您换一盒"
    )
    offer = services.offer_answer(consumer=consumer, ticket_id=ticket.pk, accept=False)
    ticket.refresh_from_db()
    assert (offer.status, ticket.status, AfterSaleRequest.objects.count()) == (
        OfferStatus.DECLINED,
        TicketStatus.CONTACTED,
        0,
    )
    with pytest.raises(Conflict) as caught:
        services.offer_answer(consumer=consumer, ticket_id=ticket.pk, accept=True)
    assert caught.value.code == errors.OFFER_NOT_PENDING


def test_only_the_customer_answers(ticket: CareTicket, merchant_actor, other_consumer: User) -> None:
    services.offer_make(
        actor=merchant_actor, ticket_id=ticket.pk, kind=OfferKind.REFUND, amount_fen=100, message="退款"
    )
    with pytest.raises(NotFound):
        services.offer_answer(consumer=other_consumer, ticket_id=ticket.pk, accept=True)
    assert CareOffer.objects.get().status == OfferStatus.PENDING


def test_an_open_aftersale_blocks_the_offer_and_nothing_changes(
    ticket: CareTicket, merchant_actor, consumer: User, line: OrderLine
) -> None:
    from xinren.aftersales.services import aftersale_open

    services.offer_make(
        actor=merchant_actor, ticket_id=ticket.pk, kind=OfferKind.REFUND, amount_fen=100, message="退款"
    )
    aftersale_open(
        consumer=consumer,
        order_number=line.order.number,
        line_id=line.pk,
        kind=Kind.REFUND_ONLY,
        reason="不想要了",
        amount_fen=200,
    )
    with pytest.raises(DomainError):
        services.offer_answer(consumer=consumer, ticket_id=ticket.pk, accept=True)
    ticket.refresh_from_db()
    assert (ticket.status, CareOffer.objects.get().status, AfterSaleRequest.objects.count()) == (
        TicketStatus.OFFER_MADE,
        OfferStatus.PENDING,
        1,
    )


def test_rating_before_resolution_is_refused(ticket: CareTicket, consumer: User) -> None:
    with pytest.raises(Conflict) as caught:
        services.ticket_rate(consumer=consumer, ticket_id=ticket.pk, score=4)
    assert caught.value.code == errors.RATING_NOT_YET


def test_close_withdraws_the_pending_offer(ticket: CareTicket, merchant_actor, operator) -> None:
    services.offer_make(
        actor=merchant_actor, ticket_id=ticket.pk, kind=OfferKind.REFUND, amount_fen=100, message="退款"
    )
    services.ticket_close(actor=operator, ticket_id=ticket.pk, note="买家已自行申请售后")
    ticket.refresh_from_db()
    assert (ticket.status, CareOffer.objects.get().status) == (TicketStatus.CLOSED, OfferStatus.WITHDRAWN)
    with pytest.raises(Conflict):
        services.ticket_contact(actor=merchant_actor, ticket_id=ticket.pk, note="再联系")
