"""Demo product photos: studio shots drawn with Pillow (no downloads), one per demo product, by category.

Square like the shop photos customers know (主图), drawn at 1200 px so that every responsive width exists. They go
through `product_image_add` like any upload (metadata stripped, variants made).
"""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

SIDE = 1200
Color = tuple[int, int, int]


def _backdrop(top: Color, bottom: Color) -> Image.Image:
    image = Image.new("RGB", (SIDE, SIDE))
    draw = ImageDraw.Draw(image)
    for y in range(SIDE):
        t = y / (SIDE - 1)
        draw.line([(0, y), (SIDE, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return image


def _shadow(image: Image.Image, box: tuple[int, int, int, int]) -> None:
    layer = Image.new("L", image.size, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=110)
    layer = layer.filter(ImageFilter.GaussianBlur(28))
    image.paste((60, 48, 36), mask=layer)


def _plate(image: Image.Image, *, fill: Color = (246, 242, 234), rim: Color = (214, 206, 192)) -> ImageDraw.ImageDraw:
    _shadow(image, (170, 760, 1030, 1010))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 600, 1050, 980), fill=rim)
    draw.ellipse((190, 625, 1010, 950), fill=fill)
    return draw


def _mushrooms(rng: random.Random) -> Image.Image:
    image = _backdrop((232, 226, 212), (196, 184, 160))
    draw = _plate(image)
    for n in range(5):  # boletes: thick cream stems, brown caps
        x = 330 + n * 135 + rng.randint(-20, 20)
        y = 820 + rng.randint(-40, 40)
        scale = rng.uniform(0.9, 1.3)
        stem_w, stem_h, cap_w = int(34 * scale), int(150 * scale), int(105 * scale)
        draw.rounded_rectangle((x - stem_w, y - stem_h, x + stem_w, y + 20), radius=stem_w, fill=(236, 226, 200),
                               outline=(200, 186, 160), width=3)
        draw.pieslice((x - cap_w, y - stem_h - cap_w // 2, x + cap_w, y - stem_h + cap_w // 2), 180, 360,
                      fill=(128 + rng.randint(-12, 12), 80, 40), outline=(90, 56, 28), width=5)
    for _n in range(14):  # pine needles
        x, y = rng.randint(240, 960), rng.randint(700, 900)
        draw.line((x, y, x + rng.randint(-50, 50), y + rng.randint(-10, 10)), fill=(92, 110, 52), width=4)
    return image


def _tea(rng: random.Random) -> Image.Image:
    image = _backdrop((224, 232, 220), (170, 186, 160))
    _shadow(image, (200, 780, 1000, 1000))
    draw = ImageDraw.Draw(image)
    draw.ellipse((220, 420, 980, 930), fill=(206, 192, 160), outline=(170, 150, 112), width=6)  # paper wrap
    draw.ellipse((330, 500, 870, 850), fill=(110, 96, 60))  # the cake
    for _n in range(420):  # pressed leaves
        x, y = rng.randint(350, 850), rng.randint(515, 835)
        if ((x - 600) / 270) ** 2 + ((y - 675) / 175) ** 2 < 1:
            draw.line((x, y, x + rng.randint(-14, 14), y + rng.randint(-6, 6)),
                      fill=(70 + rng.randint(0, 60), 70 + rng.randint(0, 40), 30), width=3)
    draw.rectangle((520, 640, 680, 720), fill=(176, 38, 32))  # the wrapper's stamp
    return image


def _cakes(rng: random.Random) -> Image.Image:
    image = _backdrop((246, 230, 226), (214, 180, 176))
    draw = _plate(image, fill=(250, 248, 244))
    for row, y in enumerate((700, 830)):
        for n in range(3):
            x = 390 + n * 210 + (row * 40)
            draw.ellipse((x - 95, y - 60, x + 95, y + 60), fill=(232, 196, 132), outline=(196, 150, 90), width=5)
            draw.ellipse((x - 30, y - 20, x + 30, y + 20), fill=(196, 70 + rng.randint(0, 30), 96))
    for _n in range(20):  # rose petals
        x, y = rng.randint(220, 980), rng.randint(380, 560)
        draw.ellipse((x, y, x + 38, y + 24), fill=(206, 64 + rng.randint(0, 40), 100))
    return image


def _flowers(rng: random.Random) -> Image.Image:
    image = _backdrop((240, 232, 236), (200, 184, 196))
    draw = ImageDraw.Draw(image)
    for _n in range(9):
        x, y = rng.randint(300, 900), rng.randint(300, 700)
        draw.line((x, y, 600, 1150), fill=(60, 110, 56), width=10)
        for ring in range(4, 0, -1):
            r = ring * 22
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(190 - ring * 12, 30 + ring * 6, 60 + ring * 4))
    return image


def _fruit(rng: random.Random) -> Image.Image:
    image = _backdrop((244, 238, 222), (212, 196, 160))
    draw = _plate(image)
    for n in range(6):
        angle = n * math.tau / 6
        x, y = 600 + int(230 * math.cos(angle)), 760 + int(110 * math.sin(angle))
        draw.ellipse((x - 110, y - 150, x + 110, y + 60), fill=(236, 130 + rng.randint(0, 20), 30),
                     outline=(200, 100, 20), width=4)
        draw.ellipse((x - 12, y - 160, x + 12, y - 140), fill=(70, 110, 40))
    return image


def _generic(rng: random.Random) -> Image.Image:
    image = _backdrop((236, 232, 226), (196, 190, 180))
    draw = ImageDraw.Draw(image)
    _shadow(image, (300, 860, 900, 1000))
    draw.rounded_rectangle((330, 360, 870, 920), radius=40, fill=(156, 58, 31), outline=(110, 40, 20), width=8)
    draw.rectangle((420, 520, 780, 700), fill=(246, 240, 226))
    for _n in range(6):
        x = rng.randint(440, 740)
        draw.line((x, 540, x + 20, 680), fill=(156, 58, 31), width=6)
    return image


_DRAWN = {"wild_mushroom": _mushrooms, "tea": _tea, "baked_goods": _cakes, "fresh_flowers": _flowers,
          "fruit": _fruit}


def product_photo_draw(*, category: str, seed: int) -> bytes:
    """A drawn studio photo of a product of `category` (a generic packaged product otherwise), as JPEG bytes."""
    image = _DRAWN.get(category, _generic)(random.Random(seed)).filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=86)
    return out.getvalue()
