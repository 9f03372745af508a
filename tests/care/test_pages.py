"""The care pages: a merchant's staff see their own tickets (uncontacted first, evidence marked and escaped) and
act on them; operators see every merchant; a customer sees, answers and rates only their own ticket."""

from __future__ import annotations

import pytest

from xinren.accounts.models import User
from xinren.care import services
from xinren.care.choices import OfferStatus, SourceKind, TicketStatus
from xinren.care.models import CareOffer, CareTicket
from xinren.orders.models import OrderLine
from xinren.reviews.services import review_post

from ..fixtures.accounts import browser_of

pytestmark = pytest.mark.django_db

TEXT = "<b>盒子</b>压坏了，蘑菇都碎了"


@pytest.fixture
def ticket(line: OrderLine, consumer: User) -> CareTicket:
    review = review_post(consumer=consumer, line_id=line.pk, stars=2, text=TEXT)
    services.voice_classify(source_kind=SourceKind.REVIEW, source_id=review.pk)
    return CareTicket.objects.get()


def test_the_merchant_sees_the_ticket_with_marked_evidence(ticket: CareTicket, merchant_actor) -> None:
    page = browser_of(merchant_actor.user).get("/merchant/care/")
    html = page.content.decode()
    assert page.status_code == 200
    assert ticket.public_ref in html
    assert "&lt;b&gt;盒子&lt;/b&gt;<mark>压坏</mark>了" in html  # escaped text, evidence marked
    assert "138****1234" in html and "13812341234" not in html
    assert "<svg" in html and "破损" in html


def test_another_merchant_sees_nothing_and_cannot_act(ticket: CareTicket, other_actor) -> None:
    browser = browser_of(other_actor.user)
    assert ticket.public_ref not in browser.get("/merchant/care/").content.decode()
    response = browser.post(f"/merchant/care/tickets/{ticket.pk}/", {"action": "contact", "note": "hi"})
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN


def test_the_merchant_offers_from_the_page(ticket: CareTicket, merchant_actor) -> None:
    response = browser_of(merchant_actor.user).post(
        f"/merchant/care/tickets/{ticket.pk}/",
        {"action": "offer", "kind": "compensation", "amount_yuan": "20.00", "message": "抱歉，赔您 20 元"},
    )
    assert response.status_code == 302
    offer = CareOffer.objects.get()
    assert (offer.kind, offer.amount_fen, offer.status) == ("compensation", 2000, OfferStatus.PENDING)


def test_an_offer_too_large_is_shown_in_the_form(ticket: CareTicket, merchant_actor) -> None:
    response = browser_of(merchant_actor.user).post(
        f"/merchant/care/tickets/{ticket.pk}/",
        {"action": "offer", "kind": "refund", "amount_yuan": "500", "message": "全退"},
    )
    assert response.status_code == 409
    assert "可退金额" in response.content.decode()
    assert CareOffer.objects.count() == 0


def test_operators_see_every_merchant_and_the_satisfaction(ticket: CareTicket, operator, merchant_actor) -> None:
    page = browser_of(operator.user).get("/operator/care/")
    assert page.status_code == 200
    html = page.content.decode()
    assert ticket.public_ref in html and ticket.merchant.name in html
    assert browser_of(merchant_actor.user).get("/operator/care/").status_code == 403


def test_the_customer_accepts_and_rates_on_their_page(ticket: CareTicket, merchant_actor, consumer: User) -> None:
    services.offer_make(actor=merchant_actor, ticket_id=ticket.pk, kind="refund", amount_fen=1500, message="退款")
    browser = browser_of(consumer)
    page = browser.get(f"/care/tickets/{ticket.pk}/")
    assert page.status_code == 200 and "退款 ¥15.00" in page.content.decode()
    assert browser.post(f"/care/tickets/{ticket.pk}/answer/", {"answer": "accept"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert browser.post(f"/care/tickets/{ticket.pk}/rating/", {"score": "4", "comment": "好"}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.satisfaction, ticket.satisfaction_comment) == (4, "好")


def test_another_customer_gets_404(ticket: CareTicket, merchant_actor, other_consumer: User) -> None:
    services.offer_make(actor=merchant_actor, ticket_id=ticket.pk, kind="refund", amount_fen=1500, message="退款")
    browser = browser_of(other_consumer)
    assert browser.get(f"/care/tickets/{ticket.pk}/").status_code == 404
    assert browser.post(f"/care/tickets/{ticket.pk}/answer/", {"answer": "accept"}).status_code == 404
    assert CareOffer.objects.get().status == OfferStatus.PENDING
