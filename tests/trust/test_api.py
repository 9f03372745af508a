"""The trust API: public labels; programmes managed by their alliance only."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from xinren.accounts.choices import OrganizationKind, Role
from xinren.trust.models import Programme

from ..factories import OrganizationFactory
from ..fixtures.api import call, key_for
from .conftest import integrate, photo, record

pytestmark = pytest.mark.django_db
BADGE = (Path(__file__).resolve().parents[2] / "src/xinren/trust/badges/puer-yi.svg").read_text()


def _body(**fields):  # type: ignore[no-untyped-def]
    return {
        "code": "chuxiong-trace",
        "name": "楚雄溯源",
        "region_code": "532300",
        "required_labels": ["origin_direct"],
        "badge_svg": BADGE,
        **fields,
    }


def test_public_labels_of_a_lot(merchant_actor, product, lot, forest):
    # given
    record(merchant_actor, lot, "harvesting", 30, place=forest)
    photo(merchant_actor, lot)
    integrate()
    client = Client()
    # when
    response = call(client, "get", f"/labels/{product.gtin}?lot={lot.lot}")
    product_only = call(client, "get", f"/labels/{product.gtin}")
    missing = call(client, "get", f"/labels/{product.gtin}?lot=NOPE")
    catalogue = call(client, "get", "/labels/catalogue")
    # then
    assert response.status_code == 200
    assert [label["code"] for label in response.json()["labels"]] == ["origin_direct"]
    assert product_only.json() == {"rule_version": "labels/2026-11", "labels": [], "badges": []}
    assert (missing.status_code, missing.json()["code"]) == (404, "labels.not_found")
    assert [label["code"] for label in catalogue.json()["labels"]] == [
        "origin_direct",
        "handmade",
        "direct_24h",
        "coldchain_full",
        "organic",
        "geo_indication",
    ]


def test_a_draft_product_has_no_public_labels(product, lot):
    product.status = "draft"
    product.save()
    assert call(Client(), "get", f"/labels/{product.gtin}").status_code == 404


def test_alliance_defines_and_activates_other_roles_are_refused(alliance, merchant):
    client = Client()
    staff = key_for(alliance)
    created = call(client, "post", "/programmes", key=staff, body=_body())
    assert created.status_code == 201, created.json()
    programme_id = created.json()["id"]
    assert created.json()["badge_svg"].startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    # staff may not activate (admin only; API keys are staff or viewer)
    refused = call(client, "post", f"/programmes/{programme_id}/status", key=staff, body={"status": "active"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission.role")
    # a merchant may not define one
    merchant_try = call(client, "post", "/programmes", key=key_for(merchant), body=_body(code="x-1"))
    assert (merchant_try.status_code, merchant_try.json()["code"]) == (403, "permission.organization_kind")
    # a viewer of the alliance may not either
    viewer = call(client, "post", "/programmes", key=key_for(alliance, Role.VIEWER), body=_body(code="x-2"))
    assert viewer.status_code == 403
    # another alliance neither sees nor edits it
    other = key_for(OrganizationFactory(kind=OrganizationKind.ALLIANCE))
    edit = call(client, "put", f"/programmes/{programme_id}", key=other, body={"name": "改", "region_code": "532300"})
    assert edit.status_code == 404
    assert call(client, "get", "/programmes", key=other).json() == []
    # a merchant sees active programmes only
    assert call(client, "get", "/programmes", key=key_for(merchant)).json() == []
    assert list(Programme.objects.values_list("code", "name", "status")) == [("chuxiong-trace", "楚雄溯源", "draft")]


def test_a_bad_badge_is_refused_with_its_reason(alliance):
    response = call(
        Client(),
        "post",
        "/programmes",
        key=key_for(alliance),
        body=_body(badge_svg='<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'),
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["details"]["reason"]) == (
        "programme.badge_svg_invalid",
        "element not allowed",
    )
    assert Programme.objects.count() == 0


def test_qualifiers_are_for_the_alliance(alliance, merchant, product, lot):
    client = Client()
    key = key_for(alliance)
    programme_id = call(client, "post", "/programmes", key=key, body=_body()).json()["id"]
    rows = call(client, "get", f"/programmes/{programme_id}/qualifiers", key=key)
    assert [(r["lot"], r["qualifies"]) for r in rows.json()] == [(lot.lot, False)]
    merchant_view = call(client, "get", f"/programmes/{programme_id}/qualifiers", key=key_for(merchant))
    assert merchant_view.status_code == 403
