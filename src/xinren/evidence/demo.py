"""Demo trace albums: Pillow-drawn photos (pine forest, tea garden, bakery, packing) and a mock certificate PDF.

Called by the demo loader after the other loaders; it does nothing when evidence already exists. The pictures
are drawn, not photographed, so they carry no metadata at all; they still go through `evidence_upload` like
any upload.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from PIL import Image, ImageDraw, ImageFilter

from xinren.accounts.actors import Actor
from xinren.accounts.models import Membership, Organization
from xinren.catalog.models import Batch, Product
from xinren.core import clock

from .choices import Purpose
from .models import Evidence
from .services import evidence_upload

SHANGHAI = ZoneInfo("Asia/Shanghai")
SIZE = (960, 640)
# The trust helper's certification registry demo lists this number for the tea farm.
TEA_CERTIFICATE_NUMBER = "CN-ORG-2026-000123"
DEMO_MERCHANTS = ("shanye-mushroom", "jingmai-tea", "dianwei-bakery")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=84)
    return out.getvalue()


def _sky(draw: ImageDraw.ImageDraw, top: tuple[int, int, int], bottom: tuple[int, int, int], height: int) -> None:
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line([(0, y), (SIZE[0], y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))


def pine_forest_with_mushrooms(seed: int) -> bytes:
    """Morning in a pine forest: trunks, needles on the ground and wild mushrooms among them."""
    rng = random.Random(seed)
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    _sky(draw, (186, 214, 230), (226, 234, 214), 300)
    draw.polygon([(0, 300), (180, 180), (400, 260), (620, 150), (960, 270), (960, 330), (0, 330)], fill=(120, 148, 128))
    draw.rectangle([0, 320, 960, 640], fill=(104, 80, 52))
    for _n in range(900):  # fallen needles
        x, y = rng.randint(0, 960), rng.randint(330, 640)
        draw.line([(x, y), (x + rng.randint(-9, 9), y + rng.randint(-3, 3))], fill=(150, 112, 66), width=1)
    for _n in range(14):  # pines, far ones first
        x, base = rng.randint(-20, 980), rng.randint(330, 420)
        height = rng.randint(220, 330)
        draw.rectangle([x - 7, base - height // 3, x + 7, base], fill=(84, 58, 38))
        for tier in range(5):
            top = base - height + tier * height // 7
            half = 30 + tier * 14
            draw.polygon([(x, top), (x - half, top + height // 4), (x + half, top + height // 4)],
                         fill=(34 + tier * 4, 78 + tier * 6, 46 + tier * 3))
    for _n in range(rng.randint(5, 8)):  # boletes: thick cream stems, brown caps
        x, y = rng.randint(80, 880), rng.randint(450, 600)
        scale = rng.uniform(0.8, 1.4)
        stem_w, stem_h, cap_w = int(18 * scale), int(46 * scale), int(56 * scale)
        draw.rounded_rectangle([x - stem_w, y - stem_h, x + stem_w, y + 8], radius=stem_w, fill=(232, 222, 196))
        draw.pieslice([x - cap_w, y - stem_h - cap_w // 2, x + cap_w, y - stem_h + cap_w // 2], 180, 360,
                      fill=(124, 78, 40), outline=(92, 56, 28), width=3)
    return _jpeg(image.filter(ImageFilter.SMOOTH))


def tea_garden(seed: int) -> bytes:
    """Terraced rows of tea bushes under old tea trees, mist on the far hills."""
    rng = random.Random(seed)
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    _sky(draw, (198, 222, 236), (236, 240, 232), 260)
    draw.polygon([(0, 250), (260, 150), (520, 230), (760, 140), (960, 210), (960, 290), (0, 290)], fill=(150, 176, 160))
    draw.rectangle([0, 270, 960, 640], fill=(92, 120, 62))
    for row in range(9):  # terraces, nearer rows larger and darker
        y = 290 + row * 40
        bush = 18 + row * 3
        for x in range(-20, 980, bush * 2 - 4):
            jitter = rng.randint(-3, 3)
            draw.ellipse([x, y - bush + jitter, x + bush * 2, y + bush + jitter],
                         fill=(60 + rng.randint(0, 20), 130 - row * 4 + rng.randint(0, 20), 52))
    for _n in range(4):  # old tea trees
        x = rng.randint(60, 900)
        draw.rectangle([x - 9, 170, x + 9, 330], fill=(96, 72, 50))
        for _leaf in range(40):
            lx, ly = x + rng.randint(-90, 90), 150 + rng.randint(-60, 60)
            draw.ellipse([lx - 16, ly - 9, lx + 16, ly + 9], fill=(48, 100 + rng.randint(0, 30), 44))
    return _jpeg(image.filter(ImageFilter.SMOOTH))


def bakery_production(seed: int) -> bytes:
    """A steel workbench with trays of flower cakes fresh from the oven."""
    rng = random.Random(seed)
    image = Image.new("RGB", SIZE, (222, 216, 206))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 960, 200], fill=(236, 232, 224))
    draw.rounded_rectangle([620, 20, 920, 200], radius=12, fill=(70, 70, 74), outline=(150, 150, 156), width=6)
    draw.rectangle([650, 60, 890, 170], fill=(214, 120, 50))  # the oven's lit window
    draw.rectangle([0, 200, 960, 640], fill=(188, 192, 196))
    for tray in range(2):
        left, top = 60 + tray * 440, 250
        draw.rounded_rectangle([left, top, left + 400, top + 340], radius=10, fill=(150, 154, 160),
                               outline=(110, 112, 118), width=4)
        for row in range(3):
            for col in range(3):
                cx, cy = left + 70 + col * 130, top + 60 + row * 110
                r = 44 + rng.randint(-3, 3)
                draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(236, 204, 150), outline=(206, 160, 100), width=4)
                draw.ellipse([cx - 12, cy - 12, cx + 12, cy + 12], fill=(196, 70, 100))
    return _jpeg(image.filter(ImageFilter.SMOOTH))


def packing(seed: int, *, goods: str) -> bytes:
    """A packing table: a foam cooler with ice packs, the goods in trays, a carton and tape."""
    rng = random.Random(seed)
    image = Image.new("RGB", SIZE, (214, 206, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 960, 180], fill=(234, 236, 238))
    draw.rectangle([0, 180, 960, 640], fill=(176, 150, 112))
    draw.rectangle([560, 190, 900, 560], fill=(196, 156, 100), outline=(150, 112, 64), width=5)  # carton
    draw.line([(560, 370), (900, 370)], fill=(222, 196, 120), width=26)  # tape
    draw.rectangle([60, 230, 500, 590], fill=(246, 246, 244), outline=(206, 206, 204), width=8)  # cooler
    for n in range(3):
        draw.rounded_rectangle([90 + n * 140, 250, 200 + n * 140, 300], radius=8, fill=(120, 180, 226))  # ice
    for _n in range(7):
        x, y = rng.randint(110, 450), rng.randint(340, 550)
        if goods == "mushroom":
            draw.rounded_rectangle([x - 10, y - 10, x + 10, y + 30], radius=8, fill=(232, 222, 196))
            draw.pieslice([x - 34, y - 30, x + 34, y + 14], 180, 360, fill=(124, 78, 40))
        else:
            draw.ellipse([x - 30, y - 30, x + 30, y + 30], fill=(236, 204, 150), outline=(206, 160, 100), width=3)
    return _jpeg(image.filter(ImageFilter.SMOOTH))


def tea_processing(seed: int) -> bytes:
    """Hand-firing fresh leaves in an iron wok over a wood fire."""
    rng = random.Random(seed)
    image = Image.new("RGB", SIZE, (120, 96, 78))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 380, 960, 640], fill=(150, 130, 110))
    draw.ellipse([230, 170, 730, 470], fill=(48, 46, 46), outline=(90, 86, 84), width=10)  # the wok
    for _leaf in range(160):
        x, y = rng.randint(300, 660), rng.randint(230, 420)
        draw.ellipse([x - 12, y - 5, x + 12, y + 5], fill=(70 + rng.randint(0, 30), 110 + rng.randint(0, 40), 50))
    for flame in range(6):
        x = 330 + flame * 60
        draw.polygon([(x, 560), (x + 24, 470 + rng.randint(-20, 20)), (x + 48, 560)], fill=(236, 140, 40))
    return _jpeg(image.filter(ImageFilter.SMOOTH))


def organic_certificate_pdf(*, holder: str, product: str, number: str) -> bytes:
    """A one-page mock 有机产品认证证书 (marked as a demo) with its certificate number."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    width, height = A4
    page.setStrokeColorRGB(0.2, 0.45, 0.25)
    page.setLineWidth(4)
    page.rect(36, 36, width - 72, height - 72)
    page.setFont("STSong-Light", 28)
    page.drawCentredString(width / 2, height - 140, "有机产品认证证书")
    page.setFont("STSong-Light", 13)
    lines = [
        f"证书编号：{number}",
        f"获证组织：{holder}",
        f"认证产品：{product}",
        "认证依据：GB/T 19630-2019《有机产品 生产、加工、标识与管理体系要求》",
        "认证类别：生产、加工",
        "有效期：2026年03月01日 至 2027年02月28日",
        "发证机构：（演示）信任认证中心",
    ]
    for n, text in enumerate(lines):
        page.drawString(90, height - 220 - n * 30, text)
    page.setFont("STSong-Light", 10)
    page.drawString(90, 90, "本证书为 Xinren 演示数据，不具有任何认证效力。")
    page.save()
    return out.getvalue()


def _owner(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    assert membership is not None, organization
    return Actor(organization=organization, role=membership.role, user=membership.user)


def _taken(batch: Batch, hour: int, now: dt.datetime) -> dt.datetime:
    moment = dt.datetime.combine(batch.production_date, dt.time(hour, 20), tzinfo=SHANGHAI)
    return min(moment, now)


@transaction.atomic
def demo_evidence_load(*, now: dt.datetime | None = None) -> int:
    """Attach drawn photos and the tea farm's certificate to the demo products and lots; returns how many."""
    if Evidence.objects.exists():
        return 0
    now = now or clock.now()
    made = 0
    products = (
        Product.objects.filter(merchant__slug__in=DEMO_MERCHANTS)
        .select_related("merchant").prefetch_related("batches").order_by("gtin")
    )
    for product in products:
        actor = _owner(product.merchant)
        batches = sorted(product.batches.all(), key=lambda b: b.production_date)
        seed = int(product.gtin[-6:])
        uploads: list[tuple[bytes, str, dict[str, object]]] = []
        if product.category == "wild_mushroom":
            for n, batch in enumerate(batches):
                uploads.append((pine_forest_with_mushrooms(seed + n), "forest.jpg", {
                    "batch_id": batch.pk, "purpose": Purpose.ORIGIN, "caption": "清晨松林采摘现场，当天下山分拣",
                    "taken_at": _taken(batch, 7, now)}))
                uploads.append((packing(seed + n, goods="mushroom"), "packing.jpg", {
                    "batch_id": batch.pk, "purpose": Purpose.PACKING, "caption": "泡沫箱加冰袋预冷包装，2–6℃ 冷链发出",
                    "taken_at": _taken(batch, 16, now)}))
        elif product.category == "tea":
            uploads.append((tea_garden(seed), "garden.jpg", {
                "product_id": product.pk, "purpose": Purpose.ORIGIN, "caption": "景迈山古茶园，树龄两百年以上"}))
            uploads.append((organic_certificate_pdf(holder=product.merchant.name, product=product.name,
                                                    number=TEA_CERTIFICATE_NUMBER), "certificate.pdf", {
                "product_id": product.pk, "purpose": Purpose.CERTIFICATE,
                "caption": f"有机产品认证证书 {TEA_CERTIFICATE_NUMBER}"}))
            for n, batch in enumerate(batches):
                uploads.append((tea_processing(seed + n), "wok.jpg", {
                    "batch_id": batch.pk, "purpose": Purpose.PRODUCTION, "caption": "铁锅手工杀青",
                    "taken_at": _taken(batch, 10, now)}))
        else:
            for n, batch in enumerate(batches):
                uploads.append((bakery_production(seed + n), "bakery.jpg", {
                    "batch_id": batch.pk, "purpose": Purpose.PRODUCTION, "caption": "当天现烤，出炉后自然冷却",
                    "taken_at": _taken(batch, 9, now)}))
                uploads.append((packing(seed + n, goods="cake"), "packing.jpg", {
                    "batch_id": batch.pk, "purpose": Purpose.PACKING, "caption": "独立小袋充氮包装后装盒",
                    "taken_at": _taken(batch, 14, now)}))
        for content, filename, fields in uploads:
            evidence_upload(actor=actor, content=content, filename=filename, **fields)  # type: ignore[arg-type]
            made += 1
    return made
