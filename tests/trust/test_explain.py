"""`xinren trust explain <gtin>`: every demo product's score recomputed from the log alone equals the stored one."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinren.catalog.models import Product
from xinren.cli import main as xinren_main
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trust.models import ProductScore
from xinren.trust.scores.verify import score_explain

pytestmark = pytest.mark.django_db


def _explain(*args: str) -> str:
    out = StringIO()
    call_command("trust_explain", *args, stdout=out)
    return out.getvalue()


def test_every_demo_product_explained_from_the_ledger(demo_world):
    # given
    log_integrate_all()
    gtins = list(Product.objects.order_by("gtin").values_list("gtin", flat=True))
    assert gtins
    # when
    results = {gtin: json.loads(_explain(gtin, "--json")) for gtin in gtins}
    # then
    for gtin, result in results.items():
        assert result["ok"], (gtin, [c for c in result["checks"] if not c["ok"]])
        assert result["log_index"] is not None
        stored = ProductScore.objects.get(product__gtin=gtin, version=result["statement"]["version"])
        assert result["recomputed"]["score"] == (None if stored.score is None else str(stored.score))
        assert {c["code"] for c in result["checks"]} >= {"signature", "in_log", "recomputed", "stored"}
    scored = [r for r in results.values() if r["statement"]["score"] is not None]
    assert scored, "the demo has products with enough evidence for a score"
    assert any("sources.reviews" in {c["code"] for c in r["checks"]} for r in results.values())


def test_explain_prints_the_breakdown_in_both_languages(demo_world):
    # given
    gtin = ProductScore.objects.exclude(score=None).values_list("product__gtin", flat=True).first()
    # when
    chinese = _explain(gtin)
    english = _explain(gtin, "--lang", "en")
    # then
    assert f"商品 {gtin} 的信任分" in chinese and "质量" in chinese and "重算结果与签名声明一致" in chinese
    assert "✓ 签名 (signature)" in chinese and "✓ 重算 (recomputed)" in chinese
    assert "✓ Signature (signature)" in english and "✓ Recomputed (recomputed)" in english
    assert f"{gtin}" in english and "Quality" in english and "信任分" not in english


def test_a_tampered_stored_score_fails_with_exit_1(demo_world, capsys):
    # given
    row = ProductScore.objects.exclude(score=None).select_related("product").first()
    ProductScore.objects.filter(pk=row.pk).update(score=Decimal("4.99") if row.score != Decimal("4.99") else 1)
    # when
    with pytest.raises(CommandError) as raised:
        _explain(row.product.gtin)
    code = xinren_main(["trust", "explain", row.product.gtin])
    # then
    assert raised.value.returncode == 1
    assert "stored" in str(raised.value)
    assert code == 1
    assert "stored" in capsys.readouterr().err
    assert _explain(row.product.gtin, "--no-compare")  # the log alone still checks out


def test_a_gtin_without_a_statement_fails():
    # given / when
    explanation = score_explain("00000000000000")
    # then
    assert not explanation.ok
    assert explanation.checks[0].code == "statement"
    with pytest.raises(CommandError) as raised:
        _explain("00000000000000")
    assert raised.value.returncode == 1
