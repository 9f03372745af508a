"""Demo reviews: believable buyers, delivered orders, reviews with photos, usage diaries, merchant replies and one
folded review, made through the same services people use.

Called by the demo loader after `orders.demo.demo_orders_load`. Reviews need time to pass (a diary comes 7, 15 or
30 days after delivery), so each order is played with the services' clock (`xinren.core.clock.now`) set back to
the moment it happened: placing, paying, shipping, delivery, the review, the reply and each diary entry get their
own believable time, never before the lot was produced and never in the future. Buyers are shown only by their
pseudonym; their phone numbers are from a reserved demo range and they have no password.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from django.db.models import Min
from PIL import Image, ImageDraw

from xinren.accounts.actors import Actor
from xinren.accounts.consumers import phone_mask
from xinren.accounts.models import Membership, Organization, User
from xinren.catalog.models import Item, Product
from xinren.catalog.shelf_life import sellable_until, shipping_days_default
from xinren.core import clock
from xinren.orders.models import Order, ShipmentItem
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.services import (
    LineRequest,
    order_delivery_confirm,
    order_place,
    order_ship,
    payment_refresh,
    payment_start,
)

from .models import Review
from .services import diary_post, platform_organization, reply_post, review_fold, review_post

PHONE_PREFIX = "1390731"  # demo buyers: 139 0731 0001 …
# Two buyers in three chose a nickname (shown masked: 山**); the others are shown by the default name (信任用户 3F**).
NICKNAMES = ("山城小李", "Momo", "云南吃货", "阿香婆婆", "Jason", "菌子控", "老陈", "小鹿")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class DemoReview:
    stars: int
    text: str
    tags: tuple[str, ...] = ()
    photos: int = 0
    reply: str = ""
    diaries: tuple[tuple[int, str], ...] = ()
    fold: str = ""


# GTIN-13 -> the reviews of that product, oldest first. Diaries only where the lot is old enough for them.
REVIEWS: dict[str, list[DemoReview]] = {
    "6975830100012": [
        DemoReview(5, "早上下单，第二天中午就到了，冰袋还是硬的。菌盖饱满，切开没有虫眼，和青椒腊肉一炒特别香。",
                   ("新鲜", "冷链到位"), 3, "谢谢您！牛肝菌一定要炒熟透，建议大火多炒几分钟。",
                   ((7, "吃不完的切片冻起来了，一周后拿出来炒，口感稍软一点，香味还在。"),)),
        DemoReview(4, "个头比想象的小一些，但很新鲜，泥土也清理得干净。扫码能看到南华的采摘记录，挺放心。",
                   ("新鲜", "可溯源"), 2, "感谢反馈，雨季前后个头会有变化，我们会在详情里写清楚规格。"),
        DemoReview(5, "给家里老人买的，老人说就是小时候山上捡的那个味道。包装里有食用提醒卡片，很贴心。",
                   ("送长辈", "包装好"), 1, "",
                   ((7, "又买了一次，第七天把冻的那袋也吃完了，没有发黑。"),)),
        DemoReview(3, "味道不错，不过有两朵压得有点烂，可能是快递路上挤的。希望加个硬一点的盒子。",
                   ("包装待改进",), 1, "抱歉！已经换成带隔板的泡沫箱，下次下单可以备注我们再多垫一层。"),
        DemoReview(5, "第三次回购了。每次扫码都能看到是哪天、在哪个村收的，这种透明很难得。",
                   ("回购", "可溯源"), 0, "谢谢老顾客的支持！"),
        DemoReview(2, "到的时候有一股闷味，可能在快递站放太久了。洗干净炒熟后能吃，但不如上次好。",
                   ("物流慢",), 2, "非常抱歉，已联系物流核查中转时间，稍后客服会联系您补偿。"),
        DemoReview(4, "菌子很干净，大小均匀。价格不便宜，但比菜市场的放心。", ("干净",), 0, ""),
        DemoReview(1, "垃圾店铺，老板就是骗子，大家千万别买！！！", (), 0, "",
                   fold="含人身攻击，且未描述商品本身"),
    ],
    "6975830100029": [
        DemoReview(5, "松茸没开伞，根部的泥还是湿的，香味一开箱就出来了。切薄片蘸酱油生吃，非常鲜甜。",
                   ("未开伞", "香"), 3, "谢谢！生吃请一定选当天到货的，并用陶瓷刀切片。"),
        DemoReview(4, "品相很好，就是有一根比其他的短一截，不过整体符合特级的描述。", ("品相好",), 1, ""),
        DemoReview(5, "送朋友的礼物，朋友特意打电话说好吃。溯源页上能看到预冷的时间，专业。",
                   ("送礼", "可溯源"), 2, "感谢信任，祝您和朋友生活愉快！"),
        DemoReview(3, "香味不如在香格里拉当地吃的浓，可能是运输的原因。价格偏高。", ("价格偏高",), 0,
                   "理解您的感受，松茸离开产地后香气会逐渐减弱，我们会尽量缩短运输时间。"),
        DemoReview(5, "冰袋充足，到手还是凉的。用黄油煎了两片，孩子抢着吃。", ("冷链到位",), 1, ""),
        DemoReview(4, "整体满意，客服回复很快，发货前还打电话确认了收货时间。", ("服务好",), 0, ""),
    ],
    "6975830200019": [
        DemoReview(5, "条索清晰，开汤金黄透亮，苦底化得快，回甘明显，喉韵很长。泡到第十泡还有花香。",
                   ("回甘", "耐泡"), 3, "感谢品鉴！景迈的兰花香在第三到第六泡最明显。",
                   ((7, "每天一泡，一周下来茶饼拆开的部分香气没有散，放在陶罐里保存的。"),
                    (15, "半个月后再喝，汤感更顺了，苦涩更少。"),
                    (30, "一个月，饼已经喝掉一半。会再买一饼留着慢慢转化。"))),
        DemoReview(4, "茶是好茶，就是饼压得比较紧，撬的时候碎了不少。", ("压得紧",), 2,
                   "石磨压饼确实偏紧，建议用茶针从侧面横着撬，碎茶可以单独冲泡。",
                   ((7, "换了茶针从侧面撬，好多了，碎茶拿来煮奶茶也不错。"),
                    (15, "第十五天，喝完三分之一，越喝越喜欢这个山野气。"))),
        DemoReview(5, "在溯源页上看到茶园和茶农的信息，还有检测报告，喝着踏实。", ("可溯源", "有检测"), 1, ""),
        DemoReview(3, "口感偏淡，可能我习惯喝熟普。新茶的青味有点重。", ("偏淡",), 0,
                   "新生普确实青味明显，放半年到一年会更醇，也欢迎试试我们的熟茶。",
                   ((30, "放了一个月再喝，青味淡了，确实比刚到时顺口。"),)),
        DemoReview(5, "第二次买了，包装用的是棉纸加竹壳，很有传统的感觉。", ("包装好", "回购"), 2, ""),
        DemoReview(4, "香气高扬，适合招待朋友。价格在古树茶里算合理。", ("性价比",), 0, ""),
        DemoReview(5, "汤色清亮，叶底肥厚有弹性，是真古树的样子。", ("叶底好",), 1,
                   "谢谢您细心看了叶底！"),
    ],
    "6975830300016": [
        DemoReview(5, "饼皮酥到掉渣，玫瑰馅一点都不齁甜，能吃到花瓣。六个一下午就被分完了。",
                   ("酥", "不甜腻"), 3, "谢谢喜欢！刚到时用烤箱 150 度烤 3 分钟更酥。"),
        DemoReview(4, "味道好，就是有一个饼边压碎了。", ("好吃",), 1, ""),
        DemoReview(5, "配料表很干净，看了溯源页，花是八街自己种的，给孩子吃放心。", ("配料干净", "可溯源"), 2, ""),
        DemoReview(3, "比昆明现烤的稍微干一点，可能是路上两天的缘故。", ("偏干",), 0,
                   "感谢建议，我们正在试用锁鲜的独立包装。"),
        DemoReview(5, "日期很新，离生产只隔了两天。玫瑰味很正。", ("日期新鲜",), 1, ""),
        DemoReview(4, "送同事的伴手礼，盒子好看。单价略高。", ("送礼",), 0, ""),
    ],
}

# A palette per category, for the drawn photos.
_PALETTES = {
    "wild_mushroom": [((120, 84, 48), (214, 170, 98)), ((96, 64, 40), (190, 150, 90))],
    "tea": [((70, 96, 52), (160, 120, 70)), ((88, 110, 60), (196, 150, 80))],
    "baked_goods": [((232, 196, 150), (196, 60, 90)), ((226, 186, 140), (170, 40, 70))],
}


def demo_photo(category: str, seed: int) -> bytes:
    """A simple drawn "photo" of the product on a table (no camera, no metadata), as a JPEG."""
    rng = random.Random(seed)
    table = (rng.randint(200, 235), rng.randint(190, 220), rng.randint(170, 200))
    image = Image.new("RGB", (640, 480), table)
    draw = ImageDraw.Draw(image)
    for y in range(0, 480, 24):  # the grain of a wooden table
        draw.line([(0, y + rng.randint(0, 8)), (640, y + rng.randint(0, 8))], fill=(table[0] - 18, table[1] - 20,
                                                                                     table[2] - 22), width=2)
    dark, light = _PALETTES.get(category, _PALETTES["tea"])[seed % 2]
    for _n in range(rng.randint(2, 5)):
        x, y = rng.randint(60, 520), rng.randint(80, 380)
        if category == "wild_mushroom":
            draw.rectangle([x - 12, y, x + 12, y + 70], fill=(236, 226, 200))
            draw.ellipse([x - 60, y - 40, x + 60, y + 20], fill=dark, outline=light, width=4)
        elif category == "tea":
            draw.ellipse([x - 90, y - 90, x + 90, y + 90], fill=light, outline=dark, width=6)
            for _leaf in range(12):
                lx, ly = x + rng.randint(-60, 60), y + rng.randint(-60, 60)
                draw.ellipse([lx - 14, ly - 5, lx + 14, ly + 5], fill=dark)
        else:
            draw.ellipse([x - 55, y - 55, x + 55, y + 55], fill=dark, outline=(200, 150, 100), width=5)
            draw.ellipse([x - 20, y - 20, x + 20, y + 20], fill=light)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()



def _owner_actor(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    assert membership is not None, organization
    return Actor(organization=organization, role=membership.role, user=membership.user)


def _buyer(number: int, joined: dt.datetime) -> User:
    phone = f"{PHONE_PREFIX}{number:04d}"
    user = User.objects.create_user(username=phone, phone=phone, password=None)
    user.display_name = phone_mask(phone)
    user.nickname = NICKNAMES[number % len(NICKNAMES)] if number % 3 else ""
    user.date_joined = joined
    user.save(update_fields=["display_name", "nickname", "date_joined"])
    return user


def _pay(consumer: User, order: Order) -> None:
    payment = payment_start(consumer=consumer, order_number=order.number, return_url=f"/shop/orders/{order.number}/")
    SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
    payment_refresh(payment_id=payment.pk)


def _item_of_oldest_lot(product: Product) -> Item:
    """An item not yet shipped, from the product's oldest lot (the one that existed when these orders came); taken
    from the newest end of the lot, like orders.demo, so that the first item of every lot keeps its plain history."""
    taken = ShipmentItem.objects.values("item_id")
    item = (
        Item.objects.filter(product=product).exclude(pk__in=taken).select_related("batch")
        .order_by("batch__production_date", "-id").first()
    )
    assert item is not None, product
    return item


def _timeline(first: dt.datetime, last: dt.datetime, count: int, rng: random.Random) -> list[dt.datetime]:
    """`count` order times spread from `first` to `last`, in the daytime (Shanghai)."""
    span = (last - first) / max(1, count - 1)
    moments = []
    for n in range(count):
        day = (first + span * n).astimezone(SHANGHAI)
        moments.append(day.replace(hour=rng.randint(8, 21), minute=rng.randint(0, 59), second=0, microsecond=0))
    return moments


def demo_reviews_load(*, now: dt.datetime | None = None) -> list[Review]:
    """Orders delivered to pseudonymous buyers and their reviews for the demo products (see the module doc)."""
    now = now or clock.now()
    rng = random.Random(2026)
    products = {product.gtin[1:]: product for product in Product.objects.select_related("merchant")}
    operator = _owner_actor(platform_organization())  # the platform's administrator folds, with a public reason
    reviews: list[Review] = []
    buyer_number = 0
    for gtin13, rows in REVIEWS.items():
        product = products.get(gtin13)
        if product is None:
            continue
        merchant = _owner_actor(product.merchant)
        produced = Product.objects.filter(pk=product.pk).aggregate(first=Min("batches__production_date"))["first"]
        lot_ready = dt.datetime.combine(produced, dt.time(9), tzinfo=SHANGHAI) + dt.timedelta(days=1)
        # The last order is delivered and reviewed at least a day before now; the first no earlier than 45 days ago.
        first = max(lot_ready, now - dt.timedelta(days=45))
        last = now - dt.timedelta(days=4)
        # ...and the day before the oldest lot stops being sold (shelf life, catalog/shelf_life.py), so that its
        # items still ship that day or the next.
        oldest = product.batches.order_by("production_date").first()
        if oldest is not None:
            until = sellable_until(
                expiry_date=oldest.expiry_date, category=product.category, shipping_days=shipping_days_default()
            )
            if until is not None:
                last = min(last, dt.datetime.combine(until - dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI))
        for placed_at, row in zip(_timeline(first, max(first, last), len(rows), rng), rows, strict=True):
            buyer_number += 1
            reviews.append(_one(product, merchant, operator, row, placed_at, buyer_number, now, rng))
    return reviews


def demo_seller_ratings(stars: int, number: int) -> dict[str, int]:
    """Believable detailed seller ratings for a demo review: close to its stars, varied by the buyer's number (not
    by the random generator, so that every other demo value stays as it was)."""

    def near(value: int) -> int:
        return max(1, min(5, value))

    return {
        "description": stars,
        "service": near(stars + (1 if number % 4 == 1 else 0) - (1 if number % 3 == 0 else 0)),
        "logistics": near(stars - (1 if number % 5 == 2 else 0) + (1 if number % 7 == 3 else 0)),
    }


def _one(
    product: Product, merchant: Actor, operator: Actor, row: DemoReview, placed_at: dt.datetime, number: int,
    now: dt.datetime, rng: random.Random,
) -> Review:
    consumer = _buyer(number, placed_at - dt.timedelta(days=rng.randint(20, 400)))
    with clock.played_at(placed_at):
        order = order_place(
            consumer=consumer, lines=[LineRequest(product_id=product.pk, quantity=1)],
            recipient_name="演示买家", recipient_phone=consumer.phone or "",
            shipping_address="云南省昆明市五华区演示路 1 号",
        )
    with clock.played_at(placed_at + dt.timedelta(minutes=3)):
        _pay(consumer, order)
    shipped_at = placed_at + dt.timedelta(hours=rng.randint(3, 20))
    with clock.played_at(shipped_at):
        order_ship(
            actor=merchant, order_number=order.number, codes=[_item_of_oldest_lot(product).digital_link.path],
            carrier="顺丰速运", tracking_number=f"SF{order.number[-10:]}", shipped_at=shipped_at,
        )
    delivered_at = shipped_at + dt.timedelta(hours=rng.randint(20, 44))
    with clock.played_at(delivered_at):
        order_delivery_confirm(consumer=consumer, order_number=order.number)
    reviewed_at = min(delivered_at + dt.timedelta(hours=rng.randint(2, 30)), now - dt.timedelta(hours=2))
    photos = [(f"{n}.jpg", demo_photo(product.category, number * 10 + n)) for n in range(row.photos)]
    with clock.played_at(reviewed_at):
        line = order.lines.get()
        review = review_post(
            consumer=consumer, line_id=line.pk, stars=row.stars, text=row.text, tags=list(row.tags), media=photos,
            seller_ratings=demo_seller_ratings(row.stars, number),
        )
    if row.reply:
        replied_at = min(reviewed_at + dt.timedelta(hours=rng.randint(1, 20)), now - dt.timedelta(minutes=30))
        with clock.played_at(replied_at):
            reply_post(actor=merchant, review_id=review.pk, text=row.reply)
    for days, text in row.diaries:
        written_at = delivered_at + dt.timedelta(days=days, hours=rng.randint(1, 10))
        if written_at < now:
            with clock.played_at(written_at):
                diary_post(consumer=consumer, review_id=review.pk, milestone=days, text=text)
    if row.fold:
        with clock.played_at(min(reviewed_at + dt.timedelta(hours=3), now - dt.timedelta(minutes=10))):
            review_fold(actor=operator, review_id=review.pk, reason=row.fold)
    return review
