"""有机认证 and 地理标志产品: earned by a verified, current credential of the merchant that covers the product."""

from __future__ import annotations

import pytest

from tests.fixtures.immutable import tampering
from xinren.trust.selectors import labels_evaluate, labels_for
from xinren.verification.models import CredentialCheck
from xinren.verification.services import credential_submit, credential_withdraw, registry_import

from .conftest import integrate

pytestmark = pytest.mark.django_db
HEADER = "number,holder_name,holder_uscc,scope,region,valid_from,valid_until,status\n"


def _import(kind, *rows, source="认监委导出"):  # type: ignore[no-untyped-def]
    registry_import(kind=kind, source=source, data=(HEADER + "".join(rows)).encode())


def _row(number, org, *, scope="野生菌", region="云南省楚雄州", status="valid", until="2099-12-31"):  # type: ignore[no-untyped-def]
    return f"{number},{org.name},{org.uscc},{scope},{region},2020-01-01,{until},{status}\n"


def _codes(product, lot):  # type: ignore[no-untyped-def]
    section = labels_for(product=product, batch=lot)
    return [label["code"] for label in section["labels"]] if section else []


def _missing(product, lot, code):  # type: ignore[no-untyped-def]
    return next(o.missing for label, o in labels_evaluate(product=product, batch=lot).outcomes if label.code == code)


def test_organic_is_earned_by_a_verified_certificate_and_shows_its_check(merchant_actor, platform, product, lot):
    # given
    merchant = merchant_actor.organization
    _import("organic", _row("CN-ORG-2026-000123", merchant))
    credential_submit(actor=merchant_actor, kind="organic", number="CN-ORG-2026-000123")
    assert _missing(product, lot, "organic") == ["核验结果尚未在日志中验证（待上链或内容不符）"]
    integrate()
    # when
    (label,) = labels_for(product=product, batch=None)["labels"]
    # then
    assert (label["code"], label["how"]) == ("organic", "证书编号经平台对照 认监委导出 核验有效")
    (evidence,) = label["evidence"]
    assert evidence["kind"] == "verification.result"
    assert evidence["description"] == "有机产品认证 CN-ORG-2026-000123，认监委导出 核验有效，至 2099-12-31"
    assert evidence["leaf_hash"] == CredentialCheck.objects.get().ledger_leaf_hash
    assert _codes(product, lot) == ["organic"]


def test_organic_disappears_when_the_registry_revokes_it(merchant_actor, platform, product, lot):
    merchant = merchant_actor.organization
    _import("organic", _row("C-1", merchant))
    credential_submit(actor=merchant_actor, kind="organic", number="C-1")
    integrate()
    assert _codes(product, lot) == ["organic"]
    _import("organic", _row("C-1", merchant, status="revoked"))
    assert labels_for(product=product, batch=lot) is None
    assert _missing(product, lot, "organic") == ["证书 C-1 当前核验结果：已撤销"]


def test_organic_disappears_when_the_certificate_expires(merchant_actor, platform, product, lot):
    merchant = merchant_actor.organization
    _import("organic", _row("C-2", merchant, until="2026-01-01"))
    credential_submit(actor=merchant_actor, kind="organic", number="C-2")
    integrate()
    assert _missing(product, lot, "organic") == ["证书 C-2 当前核验结果：已过期"]


def test_organic_disappears_on_withdrawal_and_on_a_tampered_check(merchant_actor, platform, product, lot):
    merchant = merchant_actor.organization
    _import("organic", _row("C-3", merchant))
    credential = credential_submit(actor=merchant_actor, kind="organic", number="C-3")
    integrate()
    with tampering():
        CredentialCheck.objects.update(source="别的来源")
    assert labels_for(product=product, batch=lot) is None
    assert _missing(product, lot, "organic") == ["核验结果尚未在日志中验证（待上链或内容不符）"]
    with tampering():
        CredentialCheck.objects.update(source="认监委导出")
    assert _codes(product, lot) == ["organic"]
    credential_withdraw(actor=merchant_actor, credential_id=credential.pk)
    assert _missing(product, lot, "organic") == ["已提交并核验通过的有机产品认证证书"]


def test_organic_needs_the_holder_and_the_scope_to_match(merchant_actor, other_actor, platform, product, lot):
    # given: a certificate of another business, and one of ours for tea only
    other = other_actor.organization
    merchant = merchant_actor.organization
    _import("organic", _row("THEIRS", other), _row("TEA", merchant, scope="茶叶；普洱茶"))
    credential_submit(actor=merchant_actor, kind="organic", number="THEIRS")
    credential_submit(actor=merchant_actor, kind="organic", number="TEA")
    integrate()
    # then
    assert labels_for(product=product, batch=lot) is None
    assert _missing(product, lot, "organic") == ["证书范围不包含本商品"]


def test_geo_indication_needs_the_protected_region_to_contain_the_origin(merchant_actor, platform, product, lot):
    merchant = merchant_actor.organization
    _import(
        "geo_indication",
        _row("GI-1", merchant, scope="牛肝菌", region="云南省楚雄州"),
        _row("GI-2", merchant, scope="牛肝菌", region="云南省普洱市"),
        source="知识产权局",
    )
    credential_submit(actor=merchant_actor, kind="geo_indication", number="GI-2")
    integrate()
    assert _missing(product, lot, "geo_indication") == ["地理标志保护地区与商品产地不符"]
    credential_submit(actor=merchant_actor, kind="geo_indication", number="GI-1")
    integrate()
    (label,) = labels_for(product=product, batch=lot)["labels"]
    assert (label["code"], label["name"]) == ("geo_indication", "地理标志产品")
