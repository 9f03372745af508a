"""The demo world shows labels and both regional badges, each backed by verified statements."""

from __future__ import annotations

import pytest

from xinren.catalog.models import Batch
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trust.demo import demo_trust_load
from xinren.trust.models import Programme
from xinren.trust.selectors import labels_for
from xinren.verification.models import Credential

pytestmark = pytest.mark.django_db


def test_demo_trust_world(demo_world):
    # given
    log_integrate_all()
    # when
    tea = Batch.objects.select_related("product__merchant").get(product__merchant__slug="jingmai-tea")
    bakery = Batch.objects.select_related("product__merchant").get(product__merchant__slug="dianwei-bakery")
    tea_section = labels_for(product=tea.product, batch=tea)
    bakery_section = labels_for(product=bakery.product, batch=bakery)
    # then
    assert list(Programme.objects.order_by("code").values_list("code", "status", "version")) == [
        ("kunming-trace", "active", 1),
        ("puer-tea-mountain", "active", 1),
    ]
    assert sorted(Credential.objects.values_list("kind", "status")) == [
        ("business_credit", "verified"),
        ("business_credit", "verified"),
        ("business_credit", "verified"),
        ("food_business", "verified"),  # the mushroom shop's licence that expires soon (governance/demo_watch.py)
        ("geo_indication", "verified"),
        ("organic", "verified"),
    ]
    assert Credential.objects.get(kind="organic").evidence_leaf_hash != ""
    tea_codes = {label["code"] for label in tea_section["labels"]}
    assert {"origin_direct", "organic", "geo_indication"} <= tea_codes
    assert [b["name"] for b in tea_section["badges"]] == ["普洱茶山"]
    assert {"handmade", "direct_24h"} <= {label["code"] for label in bakery_section["labels"]}
    assert [(b["name"], b["alliance"]) for b in bakery_section["badges"]] == [("昆明溯源", "昆明市农产品溯源联盟")]
    assert all(ref["log_index"] is not None for label in tea_section["labels"] for ref in label["evidence"])
    assert demo_trust_load() == 0


def test_the_scan_page_of_a_demo_item_shows_labels_and_badge_and_stays_small(client, demo_world):
    # given
    log_integrate_all()
    tea = Batch.objects.select_related("product").get(product__merchant__slug="jingmai-tea")
    item = tea.items.order_by("id").first()
    # when
    response = client.get(item.digital_link.path)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert '<section class="card labels" id="labels">' in html
    assert "</svg>有机认证</summary>" in html and "普洱茶产业联盟" in html
    assert len(response.content) <= 150 * 1024
