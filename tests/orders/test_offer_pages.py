"""The published product page's offer stays fresh (issue 12): a change that flips what can be sold queues the product
page in the page outbox, in the same transaction, and nothing else does (orders/services/offer_pages.py)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from xinren.catalog.services import items_generate
from xinren.core import clock
from xinren.core.errors import Conflict
from xinren.core.models import PageRefresh
from xinren.orders.models import Offer
from xinren.orders.services import order_cancel_by_consumer
from xinren.orders.services.offer_pages import offer_pages_refresh_for_date
from xinren.orders.services.offers import offer_save
from xinren.orders.stock import availability_for
from xinren.web.publishing import outbox_drain, page_dir, product_publish

from ..factories import BatchFactory, ItemFactory
from .flows import order_placed

pytestmark = pytest.mark.django_db
JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _queued(product_id: int) -> list[str]:
    return list(PageRefresh.objects.filter(object_id=product_id).order_by("pk").values_list("kind", flat=True))


def _published_availability(product) -> str:  # type: ignore[no-untyped-def]
    directory = page_dir(product.digital_link)
    assert directory is not None
    data = json.loads(JSONLD.findall((directory / "index.html").read_text())[0])
    return str(data["offers"]["availability"])


def test_selling_the_last_unit_queues_the_product_page_and_earlier_sales_do_not(consumer, product, offer):
    # given five in stock
    # when four are sold, then the last one
    order_placed(consumer, product, 4)
    queued_after_four = _queued(product.pk)
    order_placed(consumer, product, 1)
    # then only the last sale queued the product page (the page only: its lots and items show no offer)
    assert queued_after_four == []
    assert _queued(product.pk) == [PageRefresh.Kind.PRODUCT_PAGE]


def test_a_refused_order_queues_nothing(consumer, product, offer):
    with pytest.raises(Conflict):
        order_placed(consumer, product, 6)
    assert _queued(product.pk) == [] and Offer.objects.get(pk=offer.pk).stock == 5


def test_a_cancellation_queues_the_page_only_when_it_puts_the_product_back_on_sale(consumer, product, offer):
    # given all five sold in two orders
    first = order_placed(consumer, product, 3)
    second = order_placed(consumer, product, 2)
    PageRefresh.objects.all().delete()
    # when the first is cancelled: from nothing to sell to three
    order_cancel_by_consumer(consumer=consumer, order_number=first.number)
    after_first = _queued(product.pk)
    PageRefresh.objects.all().delete()
    # and then the second: from three to five, still on sale
    order_cancel_by_consumer(consumer=consumer, order_number=second.number)
    # then
    assert after_first == [PageRefresh.Kind.PRODUCT_PAGE]
    assert _queued(product.pk) == []


def test_saving_the_offer_and_minting_items_queue_the_product_page(merchant_actor, product, batch, offer):
    offer_save(actor=merchant_actor, product_id=product.pk, price_fen=9900, stock=0)
    assert _queued(product.pk) == [PageRefresh.Kind.PRODUCT_PAGE]
    PageRefresh.objects.all().delete()
    items_generate(actor=merchant_actor, batch_id=batch.pk, count=3)
    assert PageRefresh.Kind.PRODUCT_PAGE in _queued(product.pk)


def test_the_daily_job_queues_the_page_on_the_day_the_lot_stops_being_sellable(product, offer):
    # given the only lot, with items, that expires in ten days
    today = clock.now()
    lot = BatchFactory(product=product, lot="L-EXP", quantity=5,
                       expiry_date=(today + dt.timedelta(days=10)).date())
    for n in range(5):
        ItemFactory(batch=lot, serial=f"EX{n}")
    # the first day its units can no longer be sold (the category's minimum shelf life, then the date itself)
    stop = next(today + dt.timedelta(days=d) for d in range(1, 12)
                if availability_for([offer], at=today + dt.timedelta(days=d))[offer.pk].sellable == 0)
    # when the job runs on the day before, and on that day
    before = offer_pages_refresh_for_date(at=stop - dt.timedelta(days=1))
    queued_before = _queued(product.pk)
    flipped = offer_pages_refresh_for_date(at=stop)
    # then only the day it flipped queued the product page
    assert (before, queued_before) == (0, [])
    assert flipped == 1 and _queued(product.pk) == [PageRefresh.Kind.PRODUCT_PAGE]


def test_the_published_page_says_out_of_stock_once_the_outbox_is_drained(consumer, product, offer):
    # given the product page published while it was on sale
    product_publish(product=product, fan_out=False)
    assert _published_availability(product) == "https://schema.org/InStock"
    # when the last units are sold and the publisher drains the outbox
    order_placed(consumer, product, 5)
    outbox_drain()
    # then the published file says so
    assert _published_availability(product) == "https://schema.org/OutOfStock"
    assert PageRefresh.objects.count() == 0
