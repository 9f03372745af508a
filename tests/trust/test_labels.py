"""Each label: earned with its ledger evidence, not earned with what is missing, gone on withdrawal or mismatch."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures.immutable import tampering
from xinren.coldchain.status import ColdChainStatus
from xinren.evidence.models import Evidence
from xinren.evidence.services import evidence_withdraw
from xinren.trace.models import TraceEvent
from xinren.trust.labels import facts as facts_module
from xinren.trust.selectors import labels_evaluate, labels_for

from .conftest import NOW, integrate, photo, record

pytestmark = pytest.mark.django_db


def _codes(product, lot):  # type: ignore[no-untyped-def]
    section = labels_for(product=product, batch=lot)
    return [label["code"] for label in section["labels"]] if section else []


def _missing(product, lot, code):  # type: ignore[no-untyped-def]
    return next(o.missing for label, o in labels_evaluate(product=product, batch=lot).outcomes if label.code == code)


# 产地直采


def test_origin_direct_is_earned_by_the_merchants_harvest_at_origin_and_an_origin_photo(
    merchant_actor, product, lot, forest
):
    # given
    harvest = record(merchant_actor, lot, "harvesting", 30, place=forest)
    photo(merchant_actor, lot)
    integrate()
    # when
    section = labels_for(product=product, batch=lot)
    # then
    assert section is not None and section["rule_version"] == "labels/2026-11"
    (label,) = section["labels"]
    assert (label["code"], label["name"], label["icon"]) == ("origin_direct", "产地直采", "⛰")
    assert label["how"] == "商家在产地（云南省楚雄州南华县）亲自记录采收，并上传产地实拍"
    kinds = [(e["kind"], e["description"]) for e in label["evidence"]]
    assert kinds == [("trace.event", "采收 · 南华县野生菌采集点"), ("evidence.media", "图片：雨季清晨的采集点")]
    assert label["evidence"][0]["leaf_hash"] == harvest.ledger_leaf_hash
    assert label["evidence"][0]["url"] == f"/log/bundle/{label['evidence'][0]['log_index']}"


def test_origin_direct_needs_the_place_inside_the_origin(merchant_actor, product, lot, kunming):
    record(merchant_actor, lot, "harvesting", 30, place=kunming)
    photo(merchant_actor, lot)
    integrate()
    assert _codes(product, lot) == []
    assert _missing(product, lot, "origin_direct") == ["商家本人在产地记录、且已在日志中验证的采收或赋码事件"]


def test_origin_direct_needs_the_merchant_itself_and_a_photo(merchant_actor, carrier, product, lot, lot_item):
    from xinren.trace.services import place_create

    near = place_create(actor=carrier, name="南华收购点", latitude="25.20", longitude="101.28")
    record(carrier, lot, "commissioning", 30, place=near, items=[lot_item])
    integrate()
    assert _missing(product, lot, "origin_direct") == [
        "商家本人在产地记录、且已在日志中验证的采收或赋码事件",
        "至少一张已验证的产地实拍照片",
    ]


def test_pending_statements_do_not_count_yet(merchant_actor, product, lot, forest):
    record(merchant_actor, lot, "harvesting", 30, place=forest)
    photo(merchant_actor, lot)
    assert labels_for(product=product, batch=lot) is None
    assert _missing(product, lot, "origin_direct") == [
        "产地采收事件尚未在日志中验证（待上链或内容不符）",
        "产地照片尚未在日志中验证（待上链或内容不符）",
    ]


def test_origin_direct_disappears_when_the_photo_is_withdrawn(merchant_actor, product, lot, forest):
    # given
    record(merchant_actor, lot, "harvesting", 30, place=forest)
    evidence = photo(merchant_actor, lot)
    integrate()
    assert _codes(product, lot) == ["origin_direct"]
    # when
    evidence_withdraw(actor=merchant_actor, evidence=evidence, reason="拍错了批次")
    # then
    assert labels_for(product=product, batch=lot) is None


def test_origin_direct_disappears_on_a_ledger_mismatch_of_the_event(merchant_actor, product, lot, forest):
    harvest = record(merchant_actor, lot, "harvesting", 30, place=forest)
    photo(merchant_actor, lot)
    integrate()
    with tampering():
        TraceEvent.objects.filter(pk=harvest.pk).update(document={**harvest.document, "disposition": "conformant"})
    assert labels_for(product=product, batch=lot) is None


def test_origin_direct_disappears_on_a_ledger_mismatch_of_the_photo(merchant_actor, product, lot, forest):
    record(merchant_actor, lot, "harvesting", 30, place=forest)
    evidence = photo(merchant_actor, lot)
    integrate()
    with tampering():
        Evidence.objects.filter(pk=evidence.pk).update(caption="改过的说明")
    assert labels_for(product=product, batch=lot) is None


# 匠人手作


def test_handmade_is_earned_by_verified_production_evidence(merchant_actor, product, lot):
    evidence = photo(merchant_actor, lot, purpose="production", caption="手工分拣")
    assert _missing(product, lot, "handmade") == ["生产过程证据尚未在日志中验证（待上链或内容不符）"]
    integrate()
    assert _codes(product, lot) == ["handmade"]
    # Evidence on one lot says nothing about the product as a whole.
    assert labels_for(product=product, batch=None) is None
    evidence_withdraw(actor=merchant_actor, evidence=evidence, reason="不是本批次")
    assert _missing(product, lot, "handmade") == ["已验证的生产过程视频或照片"]


# 24小时直达仓配


def test_direct_24h_is_computed_from_the_shipping_and_receiving_events(carrier, product, lot, lot_item):
    # given: shipped 30 h ago, received 16 h ago
    record(carrier, lot, "shipping", 30, items=[lot_item])
    record(carrier, lot, "receiving", 16, items=[lot_item])
    integrate()
    # when
    section = labels_for(product=product, batch=lot)
    # then
    (label,) = section["labels"]
    assert label["code"] == "direct_24h"
    assert label["how"] == "由发货与收货事件计算：1 段运输，最长 14.0 小时"
    assert [e["description"] for e in label["evidence"]] == ["发货", "收货，用时 14.0 小时"]


def test_direct_24h_refuses_a_slow_leg_or_no_leg(carrier, product, lot, lot_item):
    assert _missing(product, lot, "direct_24h") == ["至少一段已完成的运输（发货与收货事件）"]
    record(carrier, lot, "shipping", 60, items=[lot_item])
    record(carrier, lot, "receiving", 30, items=[lot_item])
    record(carrier, lot, "shipping", 28, items=[lot_item])
    integrate()
    # the open leg (in transit, or a parcel on its way to a consumer) is not a completed leg
    assert _missing(product, lot, "direct_24h") == ["有一段运输用时 30.0 小时，超过 24 小时"]


def test_direct_24h_does_not_time_a_buyers_confirmation(merchant_actor, product, lot, lot_item):
    # given: the merchant's parcel, confirmed by its buyer 10 hours later (the platform signs that receipt)
    from xinren.accounts.services import platform_organization
    from xinren.trace.services import delivery_receipt_record

    shipped = record(merchant_actor, lot, "shipping", 12, items=[lot_item])
    delivery_receipt_record(
        organization=platform_organization(), merchant=product.merchant, identifiers=[lot_item.digital_link.path],
        event_time=shipped.event_time + dt.timedelta(hours=10),
    )
    integrate()
    # then: a buyer confirms when they get round to it, so that is no completed leg
    assert _missing(product, lot, "direct_24h") == ["至少一段已完成的运输（发货与收货事件）"]


def test_direct_24h_needs_lot_and_verified_events(carrier, product, lot, lot_item):
    record(carrier, lot, "shipping", 10, items=[lot_item])
    record(carrier, lot, "receiving", 2, items=[lot_item])
    assert _missing(product, lot, "direct_24h") == ["运输事件尚未在日志中验证（待上链或内容不符）"]
    assert _missing(product, None, "direct_24h") == ["按批次计算，请查看具体批次"]


# 冷链全程


def _signed_readings(carrier, lot) -> str:  # type: ignore[no-untyped-def]
    """A carrier's signed batch of readings on a leg of the lot, through the real services: its leaf hash."""
    from xinren.coldchain.ingest import readings_ingest
    from xinren.coldchain.services import leg_open

    shipping = record(carrier, lot, "shipping", 6)
    (leg,) = leg_open(actor=carrier, shipping_event_id=shipping.event_id)
    at = NOW - dt.timedelta(hours=5)
    device = "urn:epc:id:giai:4000001.111"
    readings = [
        {"sensorMetadata": {"time": (at + dt.timedelta(minutes=10 * n)).isoformat(), "deviceID": device},
         "sensorReport": [{"type": "Temperature", "value": 4.0, "uom": "CEL"}]}
        for n in range(6)
    ]
    readings_ingest(actor=carrier, leg_id=leg.pk, readings=readings)
    return leg.reading_batches.get().ledger_leaf_hash


def _status(leaf_hashes, **fields):  # type: ignore[no-untyped-def]
    values = {
        "legs": 1,
        "legs_with_readings": 1,
        "readings": 6,
        "excursions": [],
        "all_within_range": True,
        "profile": {"temperature_min": 2.0, "temperature_max": 6.0},
        "leaf_hashes": leaf_hashes,
    }
    return ColdChainStatus(**{**values, **fields})


def test_coldchain_full_follows_the_cold_chain_status(monkeypatch, carrier, product, lot):
    # given
    leaf = _signed_readings(carrier, lot)
    integrate()
    monkeypatch.setattr(facts_module, "coldchain_status_for_batch", lambda batch: _status([leaf]))
    # when / then
    (label,) = labels_for(product=product, batch=lot)["labels"]
    assert (label["code"], label["how"]) == ("coldchain_full", "6 条温度读数全部在 2.0–6.0 ℃ 之内")
    assert label["evidence"][0]["leaf_hash"] == leaf
    excursion = {"kind": "temperature_high"}
    monkeypatch.setattr(
        facts_module,
        "coldchain_status_for_batch",
        lambda batch: _status([leaf], excursions=[excursion], all_within_range=False, legs=2, legs_with_readings=1),
    )
    assert _missing(product, lot, "coldchain_full") == [
        "每一段运输都要有温度记录（1/2 段有）",
        "运输中出现 1 次温度超限",
    ]


def test_coldchain_full_needs_verified_readings(monkeypatch, logistics, product, lot):
    monkeypatch.setattr(facts_module, "coldchain_status_for_batch", lambda batch: _status(["ab" * 32]))
    assert _missing(product, lot, "coldchain_full") == ["温度记录尚未在日志中验证（待上链或内容不符）"]
    monkeypatch.setattr(facts_module, "coldchain_status_for_batch", lambda batch: _status([], legs=0))
    assert _missing(product, lot, "coldchain_full") == ["带温度记录的冷链运输"]


def test_direct_24h_uses_the_cold_chain_legs_when_a_carrier_opened_them(carrier, product, lot, lot_item):
    # given: two shipments, but the carrier opened a leg only for the first (the second is a consumer parcel)
    from xinren.coldchain.services import leg_open

    first = record(carrier, lot, "shipping", 40, items=[lot_item])
    record(carrier, lot, "receiving", 20, items=[lot_item])
    record(carrier, lot, "shipping", 10, items=[lot_item])
    record(carrier, lot, "receiving", 9, items=[lot_item])
    leg_open(actor=carrier, shipping_event_id=first.event_id)
    integrate()
    # when / then: only the opened leg counts, and it took 20 hours
    (label,) = labels_for(product=product, batch=lot)["labels"]
    assert label["how"] == "由发货与收货事件计算：1 段运输，最长 20.0 小时"


def test_evaluating_a_lot_costs_the_same_few_queries_whatever_its_size(
    merchant_actor, carrier, product, lot, forest, django_assert_max_num_queries
):
    # given: a lot of 40 items with a full history and evidence
    from ..factories import ItemFactory

    items = [ItemFactory(batch=lot, product=product) for _n in range(40)]
    record(merchant_actor, lot, "harvesting", 40, place=forest)
    record(merchant_actor, lot, "commissioning", 38, place=forest, items=items)
    record(carrier, lot, "shipping", 30, items=items)
    record(carrier, lot, "receiving", 16, items=items)
    photo(merchant_actor, lot)
    photo(merchant_actor, lot, purpose="production", caption="手工分拣")
    integrate()
    # when / then
    with django_assert_max_num_queries(30):
        section = labels_for(product=product, batch=lot)
    assert [label["code"] for label in section["labels"]] == ["origin_direct", "handmade", "direct_24h"]
