"""The consumer page's cold-chain section: chart data, excursion lines, promise badges, ledger marks, escaping."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from tests.fixtures.immutable import tampering
from xinren.coldchain.models import Reading
from xinren.coldchain.selectors import coldchain_for
from xinren.coldchain.services import item_deliveries_record, promise_set, readings_ingest
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.services import event_record
from xinren.web.public.sections import sections_for

from .conftest import Shipped, series

pytestmark = pytest.mark.django_db
HUB = (24.9851, 102.7452)


def _trip(shipped: Shipped, temperatures: list[float]) -> None:
    readings_ingest(
        actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, temperatures, position=HUB)
    )
    receipt = event_record(
        actor=shipped.carrier, event_type="ObjectEvent", biz_step="receiving",
        event_time=shipped.departed + dt.timedelta(hours=5),
        identifiers=[item.digital_link.path for item in shipped.items],
    )  # fmt: skip
    item_deliveries_record(event=receipt, by_buyer=False)  # the carrier delivered them to their buyers


def test_the_section_draws_each_leg_with_its_band_and_red_excursion(shipped: Shipped) -> None:
    # given
    promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=48, text="48小时从产地到餐桌")
    _trip(shipped, [4.0, 5.0, 9.0, 10.0, 11.2, 6.0, 4.0])
    # when
    section = coldchain_for(product=shipped.product, batch=shipped.batch)
    # then
    assert section is not None
    (leg,) = section["legs"]
    assert (leg["from"], leg["to"], leg["hours"], leg["readings"], leg["min"], leg["max"]) == (
        "昆明分拨中心", "", 5.0, 7, "4", "11.2"
    )  # fmt: skip
    assert leg["excursions"] == [
        {
            "kind": "too_warm", "start": leg["excursions"][0]["start"], "end": leg["excursions"][0]["end"],
            "day": leg["excursions"][0]["day"], "place": "昆明分拨中心", "limit": "8 °C", "peak": "11.2 °C",
            "minutes": 15, "open": False,
        }
    ]  # fmt: skip
    chart = leg["chart"]
    assert len(chart["points"].split()) == 7
    assert len(chart["red"]) == 1 and len(chart["red"][0].split()) == 4
    assert chart["band"] is not None and [t["label"] for t in chart["y_ticks"]] == ["0 °C", "8 °C"]
    assert section["promises"] == [
        {"text": "48小时从产地到餐桌", "hours": 48, "outcome": "kept", "measured": "25", "kept": 3, "broken": 0,
         "pending": 0, "unconfirmed": 0, "unit": "item", "delivered": 3, "started": True}
    ]  # fmt: skip
    assert section["excursions"] == 1
    json.dumps(section)


def test_a_long_leg_is_reduced_to_120_points_keeping_the_peak(shipped: Shipped) -> None:
    # given: 600 readings a minute apart with one warm reading in the middle
    temperatures = [4.0] * 600
    temperatures[311] = 12.5
    readings_ingest(
        actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, temperatures, minutes=1)
    )
    # when
    section = coldchain_for(product=shipped.product, batch=shipped.batch)
    # then
    assert section is not None
    chart = section["legs"][0]["chart"]
    assert len(chart["points"].split()) == 120
    assert section["legs"][0]["max"] == "12.5"
    # the scale runs from -1 °C to 13.5 °C over 120 px below an 8 px margin: 12.5 °C is drawn at y = 16.3
    assert min(float(point.split(",")[1]) for point in chart["points"].split()) == 16.3


def test_the_ledger_mark_turns_to_a_warning_when_a_reading_is_changed(shipped: Shipped) -> None:
    # given
    _trip(shipped, [4.0, 4.5])
    log_integrate_all()
    assert coldchain_for(product=shipped.product, batch=shipped.batch)["legs"][0]["ledger"]["state"] == "verified"  # type: ignore[index]
    # when
    with tampering():
        Reading.objects.filter(temperature=45).update(temperature=35)
    # then
    section = coldchain_for(product=shipped.product, batch=shipped.batch)
    assert section is not None and section["legs"][0]["ledger"]["state"] == "mismatch"


def test_a_product_page_lists_its_lots_with_their_trace_and_its_promises_over_them(shipped: Shipped) -> None:
    # given: the lot's harvest and shipping, no promise yet
    before = coldchain_for(product=shipped.product, batch=None)
    assert before is not None and before["promises"] == []
    assert [(lot["lot"], lot["events"], lot["hours"]) for lot in before.get("lots", [])] == [("NH20260701", 2, None)]
    # when
    promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=72)
    # then: the three shipped items are on their way
    section = coldchain_for(product=shipped.product, batch=None)
    assert section is not None
    assert [(p["text"], p["outcome"], p["pending"], p["delivered"]) for p in section["promises"]] == [
        ("产地到餐桌 72 小时", "pending", 3, 0)
    ]
    assert section.get("lots") == [{"lot": "NH20260701", "path": shipped.batch.digital_link.path, "events": 2,
                                    "started": True, "delivered": 0, "kept": 0, "hours": 72}]  # fmt: skip
    assert section["legs"] == []


def test_the_item_page_shows_the_verdict_its_chart_page_the_sentences_escaped_both_small(shipped: Shipped) -> None:
    # given
    shipped.hub.name = "昆明<b>分拨</b>中心"
    shipped.hub.save()
    promise_set(actor=shipped.merchant, product_id=shipped.product.pk, hours=24, text="24小时<i>直达</i>")
    _trip(shipped, [4.0] * 100 + [9.0, 10.0, 11.2, 9.5, 9.0, 8.6, 8.2] + [4.0] * 100)
    log_integrate_all()
    path = shipped.items[0].digital_link.path
    chart_path = f"{shipped.batch.digital_link.path}/coldchain"
    # when
    page = Client().get(path + "?lang=zh-hans")
    chart_page = Client().get(chart_path + "?lang=zh-hans")
    data = Client().get(path, HTTP_ACCEPT="application/json").json()
    # then the item page shows the promise, the verdict and a link to the legs' charts (a page of their own)
    card = page.content.decode()
    assert page.status_code == 200 and chart_page.status_code == 200
    assert "冷链与时效" in card and "24小时&lt;i&gt;直达&lt;/i&gt;" in card and "未兑现" in card
    assert "⚠ 运输中有 1 处温度超出要求范围" in card and '<svg class="chart"' not in card
    assert f'<a href="{chart_path}" data-part="coldchain">查看 1 段运输的温度曲线 ›</a>' in card
    html = chart_page.content.decode()
    assert "冷链与时效" in html and '<svg class="chart"' in html and '<polyline class="hot"' in html
    assert "在昆明&lt;b&gt;分拨&lt;/b&gt;中心" in html and "<b>分拨</b>" not in html
    assert "超出上限 8 °C 达 35 分钟，最高 11.2 °C" in html
    assert "24小时&lt;i&gt;直达&lt;/i&gt;" in html and "有超时" in html and "已送达 3 件：0 件在 24 小时内" in html
    assert "1 批读数已签名入账" in html
    assert len(page.content) <= 150 * 1024 and len(chart_page.content) <= 150 * 1024
    assert data["sections"]["coldchain"]["legs"][0]["excursions"][0]["place"] == "昆明<b>分拨</b>中心"
    assert "coldchain" in sections_for(product=shipped.product, batch=shipped.batch)


def test_a_very_long_leg_is_charted_from_slices_without_rehashing(
    shipped: Shipped, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr("xinren.coldchain.section.FULL_CHECK_LIMIT", 100)
    temperatures = [4.0] * 600
    temperatures[311] = 12.5
    readings_ingest(
        actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, temperatures, minutes=1)
    )
    # when
    section = coldchain_for(product=shipped.product, batch=shipped.batch)
    # then
    assert section is not None
    leg = section["legs"][0]
    assert len(leg["chart"]["points"].split()) == 120
    assert min(float(point.split(",")[1]) for point in leg["chart"]["points"].split()) == 16.3
    assert (leg["readings"], leg["max"], leg["ledger"]["digests_checked"]) == (600, "12.5", False)
    assert len(leg["chart"]["red"]) == 1
