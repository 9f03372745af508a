"""Trends and satisfaction as merchants and operators read them, each scoped to what they may see."""

from __future__ import annotations

import pytest

from xinren.accounts.models import User
from xinren.care import selectors, services
from xinren.care.choices import SourceKind
from xinren.care.models import CareTicket, VoiceRecord
from xinren.orders.models import OrderLine, ShipmentItem
from xinren.reviews.services import review_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def hurt(line: OrderLine, consumer: User) -> VoiceRecord:
    review = review_post(consumer=consumer, line_id=line.pk, stars=2, text="盒子压坏了，蘑菇都碎了")
    record = services.voice_classify(source_kind=SourceKind.REVIEW, source_id=review.pk)
    assert record is not None
    return record


def test_trends_count_by_type_product_and_lot(hurt: VoiceRecord, line: OrderLine, merchant_actor) -> None:
    lot = ShipmentItem.objects.filter(line=line).values_list("item__batch__lot", flat=True).get()
    assert hurt.lot == lot
    trends = selectors.complaint_trends(actor=merchant_actor)
    assert trends.by_type == [("破损", 1)]
    assert trends.by_product == [(line.product.name, 1)]
    assert trends.by_lot == [(f"{line.product.name} · {lot}", 1)]
    assert trends.by_type_week["damaged"][-1] == 1 and sum(trends.by_type_week["damaged"]) == 1
    assert trends.by_merchant == []


def test_another_merchant_sees_no_trend(hurt: VoiceRecord, other_actor) -> None:
    trends = selectors.complaint_trends(actor=other_actor)
    assert (trends.by_type, selectors.care_queue(actor=other_actor)) == ([], [])


def test_satisfaction_counts_four_and_five(hurt: VoiceRecord, merchant_actor, operator, consumer: User) -> None:
    ticket = CareTicket.objects.get()
    services.ticket_contact(actor=merchant_actor, ticket_id=ticket.pk, note="电话联系")
    services.ticket_close(actor=merchant_actor, ticket_id=ticket.pk, note="买家表示理解")
    services.ticket_rate(consumer=consumer, ticket_id=ticket.pk, score=4)
    figure = selectors.satisfaction(actor=operator)
    assert (figure.rated, figure.satisfied, figure.rate) == (1, 1, 100)
    assert selectors.satisfaction_by_merchant(actor=operator)[0][0] == ticket.merchant.name
    assert selectors.complaint_trends(actor=operator).by_merchant == [(ticket.merchant.name, 1)]
