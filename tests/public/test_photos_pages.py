"""Photos on the pages (issue 12): <picture> on shop cards, the product gallery, the scan page, the album, the feed
and review photos; link previews (og:*, twitter:*); the scan page with photos within its 150 KiB budget."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client

from xinren.catalog.models import Item, ProductImage
from xinren.core.origin import public_url

BUDGET = 150 * 1024
_IMG = re.compile(r"<img\b[^>]*>")
_PICTURE = re.compile(r"<picture>.*?</picture>", re.S)


def _meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert found, key
    return found.group(1)


def _largest_candidate(picture: str) -> tuple[str, int]:
    """The largest file a browser could pick for one <picture>: its widest candidate, in the heaviest format."""
    candidates = re.findall(r"(/media/\S+?) (\d+)w", picture)
    widest = max(int(width) for _url, width in candidates)
    urls = [url for url, width in candidates if int(width) == widest]
    sizes = [default_storage.size(url.removeprefix(settings.MEDIA_URL)) for url in urls]
    return urls[sizes.index(max(sizes))], max(sizes)


def test_shop_cards_show_the_product_photo(demo_world: Any):
    html = Client().get("/shop/").content.decode()
    cards = html.count('class="card product"')
    pictures = _PICTURE.findall(html)
    assert cards >= 4 and len(pictures) == cards  # every demo product has its photo: no placeholder letter
    assert 'class="placeholder"' not in html
    first, *rest = pictures
    assert '<source type="image/avif"' in first and '<source type="image/webp"' in first
    assert 'sizes="96px"' in first and "loading=" not in first  # the first card is at the top: not lazy
    assert all('loading="lazy"' in picture for picture in rest)
    assert all("1280w" not in picture and "640w" not in picture for picture in pictures)  # 96 px slots


def test_shop_card_without_a_photo_shows_a_drawn_placeholder(demo_world: Any):
    ProductImage.objects.all().delete()
    html = Client().get("/shop/").content.decode()
    assert "<picture>" not in html
    assert html.count('class="placeholder"') == html.count('class="card product"')
    assert "暂无图片" in html


def test_product_page_has_a_gallery_and_link_preview_tags(demo_world: Any):
    image = ProductImage.objects.select_related("product").order_by("pk").first()
    assert image is not None
    html = Client().get(f"/shop/products/{image.product_id}/").content.decode()
    assert '<div class="gallery"><picture>' in html.replace("\n", "").replace("  ", "")
    assert _meta(html, "og:title") == image.product.name
    assert _meta(html, "og:type") == "product"
    # link previews: absolute URLs on the public origin (ADR 0019), not the host the request named
    assert _meta(html, "og:image") == public_url(f"/media/products/variants/{image.sha256}-640w.jpg")
    assert _meta(html, "og:url") == public_url(f"/shop/products/{image.product_id}/")
    assert _meta(html, "twitter:card") == "summary_large_image"
    assert _meta(html, "og:description").startswith(image.product.description[:20])


def test_scan_page_has_the_photo_link_preview_and_pictures_in_the_album(demo_world: Any):
    item = Item.objects.select_related("batch__product").filter(batch__lot__startswith="NH").order_by("pk").first()
    assert item is not None
    image = ProductImage.objects.get(product=item.batch.product)
    html = Client().get(item.digital_link.path + "?lang=zh-hans").content.decode()
    # link previews: absolute URLs on the public origin (ADR 0019)
    assert _meta(html, "og:image") == public_url(f"/media/products/variants/{image.sha256}-640w.jpg")
    assert _meta(html, "og:url") == public_url(item.digital_link.path)
    assert _meta(html, "og:title") == item.batch.product.name
    # the product photo at the top; the album's photos as <picture> on the album's own page, which the card links to
    assert 'class="hero-photo"><picture>' in html
    album_url = f"{item.batch.digital_link.path}/album"
    assert f'<a href="{album_url}" data-part="album">' in html and html.count("<picture>") == 1
    album = Client().get(album_url + "?lang=zh-hans").content.decode()
    album = album[album.index('class="card album"'):]
    assert album.count("<picture>") >= 2 and "/media/evidence/variants/" in album


def test_scan_page_with_photos_stays_within_budget_at_first_paint(demo_world: Any):
    # given the demo's item page, with its product photo, album and reviews
    item = Item.objects.filter(batch__lot__startswith="NH").order_by("pk").first()
    assert item is not None
    html = Client().get(item.digital_link.path + "?lang=zh-hans").content.decode()
    # when a phone paints it: the HTML (style inline) and the images that are not lazy
    pictures = _PICTURE.findall(html)
    eager = [picture for picture in pictures if 'loading="lazy"' not in picture]
    loose = [img for img in _IMG.findall(_PICTURE.sub("", html)) if 'loading="lazy"' not in img]
    first_paint = len(html.encode()) + sum(_largest_candidate(picture)[1] for picture in eager)
    # then one photo loads at once, the album's photos are on the album's page, and all of it fits
    assert len(eager) == 1 and loose == []
    assert len(pictures) == 1  # the product photo
    assert first_paint <= BUDGET, first_paint
    # and the album's page, opened on demand, loads its photos lazily and fits too
    album = Client().get(f"{item.batch.digital_link.path}/album?lang=zh-hans").content.decode()
    album_pictures = _PICTURE.findall(album)
    assert len(album_pictures) >= 3 and all('loading="lazy"' in picture for picture in album_pictures)
    assert len(album.encode()) <= BUDGET


def test_feed_shows_product_photos_and_review_photos(demo_world: Any):
    html = Client().get("/community/").content.decode()
    assert re.search(r'class="product-photo" href="\?product=\d+"><picture>', html)
    assert all('loading="lazy"' in picture for picture in _PICTURE.findall(html))
