"""Sections a phone rarely opens (the album, the cold chain's charts) are cards on the scan page that link to pages of
their own, published beside the lot's page and rendered by Django on a miss (docs/scan-page.md, ADR 0028)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.test import Client

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.evidence.choices import Purpose
from xinren.evidence.models import Evidence
from xinren.evidence.services import evidence_upload, evidence_withdraw
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.trace.models import Scan
from xinren.web import publishing
from xinren.web.public.pages import inline_scripts
from xinren.web.security import page_policy

from ..evidence import samples
from ..factories import BatchFactory, actor_for
from .conftest import Story

pytestmark = pytest.mark.django_db


def _merchant(story: Story) -> Actor:
    return actor_for(story.product.merchant, Role.STAFF)


def _album(story: Story, caption: str = "松林采摘") -> Evidence:
    evidence = evidence_upload(actor=_merchant(story), content=samples.jpeg_with_gps(), filename="forest.jpg",
                               batch_id=story.batch.pk, purpose=Purpose.ORIGIN, caption=caption)
    log_integrate_all()
    return evidence


def _dir(settings, path: str) -> Path:  # type: ignore[no-untyped-def]
    return Path(settings.XINREN_PUBLISH_DIR) / path.lstrip("/")


def test_the_item_page_links_to_the_album_which_django_serves_on_its_own_page(client: Client, story: Story):
    # given a lot with an album
    _album(story, caption="<b>松林</b>实拍")
    album_path = f"{story.batch.digital_link.path}/album"
    # when
    page = client.get(story.item.digital_link.path + "?lang=zh-hans").content.decode()
    album = client.get(album_path)
    # then the item page has the card, a link that works without script, and the script that loads it in place
    assert f'<a href="{album_path}" data-part="album">打开溯源相册 ›</a>' in page
    assert "<script>" + inline_scripts()["parts"] + "</script>" in page
    assert "松林" not in page and "<picture>" not in page.split('id="album"')[1]
    # and the album's page holds the section with the same id, escaped, and a link back to the lot
    html = album.content.decode()
    assert album.status_code == 200 and album["Cache-Control"] == "no-cache"
    assert html.count('id="album"') == 1 and "&lt;b&gt;松林&lt;/b&gt;实拍" in html and "<b>松林" not in html
    assert f'<a href="{story.batch.digital_link.path}">' in html
    # the parts script is allowed by the page's policy, by its hash, like the page's other inline scripts
    digest = base64.b64encode(hashlib.sha256(inline_scripts()["parts"].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page_policy()


def test_section_pages_are_not_scans_and_unknown_ones_are_not_found(client: Client, story: Story):
    _album(story)
    base = story.batch.digital_link.path
    scans = Scan.objects.count()
    assert client.get(f"{base}/album").status_code == 200
    assert client.get(f"{base}/coldchain").status_code == 404  # the lot has no cold chain: no page
    assert client.get(f"{story.product.digital_link.path}/album").status_code == 404  # no product-level album
    assert client.get(f"/01/{story.product.gtin}/10/NOPE/album").status_code == 404
    assert client.get(f"{story.item.digital_link.path}/album").status_code == 404  # items have no sections
    assert Scan.objects.count() == scans


def test_a_section_path_with_a_trailing_slash_or_gtin13_redirects_to_one_address(client: Client, story: Story):
    _album(story)
    canonical = f"{story.batch.digital_link.path}/album"
    assert client.get(canonical + "/")["Location"] == canonical
    short = canonical.replace(f"/01/{story.product.gtin}", f"/01/{story.product.gtin[1:]}")
    assert client.get(short).status_code == 301 and client.get(short)["Location"] == canonical


def test_a_lot_named_like_a_section_is_still_its_lot_page(client: Client, story: Story):
    lot = BatchFactory(product=story.product, lot="album")
    response = client.get(lot.digital_link.path + "?lang=zh-hans")
    assert response.status_code == 200 and "批号" in response.content.decode() and "album" in response.content.decode()


def test_publishing_writes_the_section_pages_beside_the_lot_and_withdraws_them(settings, story: Story):
    # given a lot with an album, published
    evidence = _album(story)
    publishing.publish_all()
    album_dir = _dir(settings, f"{story.batch.digital_link.path}/album")
    names = sorted(p.name for p in album_dir.iterdir())
    served = Client().get(f"{story.batch.digital_link.path}/album?lang=zh-hans").content
    # then the album's page is there in both languages, with its twins, equal to what Django renders
    assert names == ["index.en.html", "index.en.html.br", "index.en.html.gz", "index.html", "index.html.br",
                     "index.html.gz"]
    assert (album_dir / "index.html").read_bytes() == served
    item_html = (_dir(settings, story.item.digital_link.path) / "index.html").read_text()
    assert re.search(rf'href="{re.escape(story.batch.digital_link.path)}/album" data-part="album"', item_html)
    # when the only photo is withdrawn and the lot published again, the album's page goes with it
    evidence_withdraw(actor=_merchant(story), evidence=evidence, reason="拍错了批次")
    log_integrate_all()
    publishing.batch_publish(batch=story.batch, fan_out=False)
    assert not any(album_dir.glob("index*"))

