"""Embeddable SVG badges: the score, 信任购 and regional programmes, each linking back to its evidence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from xinren.aftersales.models.programmes import ProgrammeMembership
from xinren.catalog.models import Product
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trust import badges_svg
from xinren.trust.models import ProductScore, Programme

from ..factories import actor_for

pytestmark = pytest.mark.django_db


def _headers_ok(response) -> None:
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "script" not in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["ETag"].startswith('"')


def test_badge_text_is_escaped():
    # when
    svg = badges_svg.xinrengou_badge(merchant='<script>alert(1)</script>"&', label="信任购", colour="red;x",
                                     href='https://x.test/a"onload="b')  # fmt: skip
    # then
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert 'href="https://x.test/a&quot;onload=&quot;b"' in svg
    assert 'fill="#b42318"' in svg  # a colour that is no hex colour is not written into the drawing


def test_half_stars_and_version_on_the_score_badge():
    # when
    svg = badges_svg.score_badge(score=Decimal("3.76"), version="2026.1", state="listed", href="https://x.test/01/1")
    # then: 3.76 rounds to 4 full stars, 3.26 to three and a half
    assert svg.count('fill="#e3a008"') == 4 and "clip-path" not in svg.split("</defs>")[1]
    assert "3.76" in svg and "2026.1" in svg and '<a href="https://x.test/01/1" target="_top">' in svg
    half = badges_svg.score_badge(score=Decimal("3.26"), version="2026.1", state="listed", href="/")
    assert half.split("</defs>")[1].count('clip-path="url(#half)"') == 1


def test_score_badge_of_a_demo_product(demo_world):
    # given
    row = ProductScore.objects.exclude(score=None).select_related("product").first()
    client = Client()
    # when
    response = client.get(f"/badges/score/{row.product.gtin}.svg")
    again = client.get(f"/badges/score/{row.product.gtin}.svg", HTTP_IF_NONE_MATCH=response["ETag"])
    # then
    assert response.status_code == 200
    _headers_ok(response)
    body = response.content.decode()
    assert f"{row.score:.2f}" in body and row.version in body
    assert f'/01/{row.product.gtin}" target="_top"' in body
    assert again.status_code == 304 and again.content == b""


def test_score_badge_says_too_little_data_and_delisted(demo_world):
    # given
    row = ProductScore.objects.select_related("product").first()
    ProductScore.objects.filter(pk=row.pk).update(score=None)
    client = Client()
    # when
    thin = client.get(f"/badges/score/{row.product.gtin}.svg").content.decode()
    Product.objects.filter(pk=row.product_id).update(status="delisted")
    delisted = client.get(f"/badges/score/{row.product.gtin}.svg").content.decode()
    # then
    assert "评分数据不足" in thin
    assert "已下架" in delisted and "评分数据不足" not in delisted


def test_unknown_gtin_or_draft_product_is_a_plain_404(demo_world):
    # given
    product = Product.objects.first()
    Product.objects.filter(pk=product.pk).update(status="draft")
    client = Client()
    # when
    unknown = client.get("/badges/score/00000000000000.svg")
    draft = client.get(f"/badges/score/{product.gtin}.svg")
    malformed = client.get("/badges/score/123.svg")
    # then
    for response in (unknown, draft):
        assert response.status_code == 404
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert b"<svg" not in response.content
    assert malformed.status_code == 404


def test_xinrengou_badge_only_for_members(demo_world):
    # given
    membership = ProgrammeMembership.objects.filter(programme__slug="xinren-gou", left_at=None).first()
    assert membership is not None
    client = Client()
    # when
    member = client.get(f"/badges/xinrengou/{membership.merchant.slug}.svg")
    stranger = client.get("/badges/xinrengou/no-such-merchant.svg")
    ProgrammeMembership.objects.filter(pk=membership.pk).update(left_at=membership.joined_at)
    former = client.get(f"/badges/xinrengou/{membership.merchant.slug}.svg")
    # then
    assert member.status_code == 200
    _headers_ok(member)
    body = member.content.decode()
    assert "信任购" in body and membership.merchant.name[:13] in body and "/guarantees/xinren-gou/" in body
    assert stranger.status_code == 404 and former.status_code == 404


def test_programme_badge_served_only_while_it_matches_the_signed_hash(demo_world):
    # given
    log_integrate_all()
    programme = Programme.objects.filter(status="active").order_by("code").first()
    client = Client()
    # when
    served = client.get(f"/badges/programme/{programme.code}.svg")
    Programme.objects.filter(pk=programme.pk).update(badge_svg=programme.badge_svg.replace("</svg>", "<g/></svg>"))
    tampered = client.get(f"/badges/programme/{programme.code}.svg")
    # then
    assert served.status_code == 200
    _headers_ok(served)
    body = served.content.decode()
    assert programme.badge_svg in body and f"/log/entry/{programme.ledger_leaf_hash}" in body
    assert tampered.status_code == 404 and b"<svg" not in tampered.content


def test_merchant_page_lists_badges_with_snippets(demo_world):
    # given
    membership = ProgrammeMembership.objects.filter(programme__slug="xinren-gou", left_at=None).first()
    client = Client()
    client.force_login(actor_for(membership.merchant).user)
    gtin = Product.objects.filter(merchant=membership.merchant, status="active").values_list("gtin", flat=True)[0]
    # when
    response = client.get("/merchant/badges/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "嵌入徽章" in html
    assert f"/badges/score/{gtin}.svg" in html and f"/badges/xinrengou/{membership.merchant.slug}.svg" in html
    assert "&lt;a href=" in html and "&lt;img src=" in html


def test_merchant_page_needs_sign_in():
    # when
    response = Client().get("/merchant/badges/")
    # then
    assert response.status_code in (302, 403)
