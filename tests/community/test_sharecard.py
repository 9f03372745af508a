"""Share cards: a 750×1000 PNG whose QR code holds the product's Digital Link with the sharer's referral id."""

from __future__ import annotations

import io

import pytest
import segno
from django.core.files.storage import default_storage
from PIL import Image

from xinren.accounts.nicknames import default_name
from xinren.community import sharecard
from xinren.community.selectors import referral_id
from xinren.reviews.services import review_fold

from .conftest import review_new

pytestmark = pytest.mark.django_db


def _qr_matrix_matches(image: Image.Image, link: str) -> bool:
    """Sample the card's QR area at each module's centre and compare with segno's matrix for `link`."""
    qr = segno.make(link, error="m", micro=False)
    size = 260
    top = sharecard.HEIGHT - size - 60
    modules = qr.symbol_size(border=2)[0]
    step = size / modules
    grey = image.convert("L")
    for row_index, row in enumerate(qr.matrix):
        for col_index, dark in enumerate(row):
            x = sharecard.MARGIN + int((col_index + 2 + 0.5) * step)
            y = top + int((row_index + 2 + 0.5) * step)
            if (grey.getpixel((x, y)) < 128) != bool(dark):  # type: ignore[operator]
                return False
    return True


def test_a_signed_in_consumer_shares_a_card_with_their_referral(client, settings, platform, consumer,
                                                                other_consumer, product_on_sale):
    # given
    settings.XINREN_PUBLIC_ORIGIN = "https://xinren.example"
    review = review_new(consumer, product_on_sale)
    client.force_login(other_consumer)

    # when
    response = client.get(f"/community/reviews/{review.pk}/share.png")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (750, 1000))
    link = f"https://xinren.example/01/{product_on_sale.gtin.zfill(14)}?ref={referral_id(other_consumer)}"
    assert _qr_matrix_matches(image, link)
    assert not _qr_matrix_matches(image, f"https://xinren.example/01/{product_on_sale.gtin.zfill(14)}")


def test_an_anonymous_share_carries_no_referral_and_the_public_origin_not_the_request_host(
    client, settings, platform, consumer, product_on_sale
):
    # given a platform served on port 8123 and a request that names another host
    settings.ALLOWED_HOSTS = ["shop.example"]
    settings.XINREN_RESOLVER = "http://127.0.0.1:8000"
    settings.XINREN_PUBLIC_ORIGIN = "http://127.0.0.1:8123"
    review = review_new(consumer, product_on_sale)

    # when
    response = client.get(f"/community/reviews/{review.pk}/share.png", HTTP_HOST="shop.example")

    # then the QR code opens the public origin, neither the request's host nor the resolver identity
    image = Image.open(io.BytesIO(response.content))
    gtin = product_on_sale.gtin.zfill(14)
    assert _qr_matrix_matches(image, f"http://127.0.0.1:8123/01/{gtin}")
    assert not _qr_matrix_matches(image, f"http://shop.example/01/{gtin}")
    assert not _qr_matrix_matches(image, f"http://127.0.0.1:8000/01/{gtin}")


def test_cards_are_cached_per_review_sharer_and_version(client, platform, consumer, product_on_sale, monkeypatch):
    review = review_new(consumer, product_on_sale)
    client.get(f"/community/reviews/{review.pk}/share.png")
    link = sharecard.share_link(gtin=product_on_sale.gtin)
    # the reviewer's shown name is part of the key: a new nickname draws a new card
    path = sharecard.card_path(review_id=review.pk, link=link, labels=("", "", default_name(review.reviewer)))
    assert default_storage.exists(path)

    def no_render(**kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("rendered again")

    monkeypatch.setattr(sharecard, "card_render", no_render)
    assert client.get(f"/community/reviews/{review.pk}/share.png").status_code == 200


def test_a_folded_review_has_no_share_card(client, platform, operator, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)
    review_fold(actor=operator, review_id=review.pk, reason="含有他人电话号码")

    assert client.get(f"/community/reviews/{review.pk}/share.png").status_code == 404


def test_the_referral_id_is_not_the_review_pseudonym(platform, consumer, product_on_sale):
    review = review_new(consumer, product_on_sale)

    assert referral_id(consumer).startswith("r")
    assert len(referral_id(consumer)) == 16
    assert referral_id(consumer) != review.reviewer


def test_cjk_text_wraps_within_the_width():
    font = sharecard._font(32)
    lines = sharecard.wrap("好" * 100, font=font, width=654, max_lines=3)

    assert len(lines) == 3
    assert all(font.getlength(line) <= 654 for line in lines)
    assert lines[-1].endswith("…")


def test_a_card_whose_copy_breaks_the_advertising_law_is_refused_and_nothing_stored(
    client, platform, consumer, product_on_sale
):
    # given a review whose excerpt claims a cure (an ordinary food's share card is advertising once shared)
    text = "朋友推荐买的，喝了两个月，真的能治疗高血压，血压稳定多了，会回购"
    review = review_new(consumer, product_on_sale, text=text)
    # when
    response = client.get(f"/community/reviews/{review.pk}/share.png")
    # then the sharer reads the article and a rewrite, and no card is rendered or kept
    assert response.status_code == 422
    assert "第十七条" in response.content.decode()
    link = sharecard.share_link(gtin=product_on_sale.gtin)
    path = sharecard.card_path(review_id=review.pk, link=link, labels=("", "", default_name(review.reviewer)))
    assert not default_storage.exists(path)
