"""Demo community: helpful votes between the demo buyers, scores and points, one platform expert and one quality
sharer, and one trial event the expert accepted, followed by the expert's own order and its "试用体验" review.

Called by the demo loader after `reviews.demo.demo_reviews_load`; with no demo reviews it does nothing. The demo
buyers each wrote one review, so nobody meets the published tier criteria on their own: the two tiers are set by
`tier_change_record` with a reason that says so ("演示数据"), and the next daily `tiers_evaluate` will move them
back down by the real criteria, which is how demotion looks in the demo.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Membership, User
from xinren.catalog.models import Item, Product
from xinren.core import clock
from xinren.orders.models import ShipmentItem
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.services import (
    LineRequest,
    order_delivery_confirm,
    order_place,
    order_ship,
    payment_refresh,
    payment_start,
)
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import Review
from xinren.reviews.services import review_post

from .choices import Tier
from .models import HelpfulVote
from .services import (
    community_rescore,
    helpful_vote,
    review_sync,
    tier_change_record,
    trial_event_create,
    trial_invite,
    trial_respond,
)
from .services.tier_evaluation import tier_metrics

TRIAL_REVIEW = (
    "参加了商家的新品试用（按正常订单下单收货）。这批菌子500克装，菌盖比上次买的更厚实，"
    "放冰箱冷藏2天后炒腊肉依然很香；包装加了隔板，路上没有压坏。"
)


@transaction.atomic
def demo_community_load(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Votes, scores, points, two tiers and one accepted trial over the demo reviews. Returns what it made."""
    now = now or clock.now()
    reviews = list(Review.objects.filter(status=ReviewStatus.VISIBLE).select_related("product").order_by("pk"))
    if not reviews or HelpfulVote.objects.exists():
        return {}
    buyers = list(User.objects.filter(pk__in={review.consumer_id for review in reviews}).order_by("pk"))
    # Each buyer finds a few of the longer reviews of other buyers helpful (a stable pattern, no randomness).
    ranked = sorted(reviews, key=lambda review: (-len(review.text), review.pk))
    votes = 0
    for index, buyer in enumerate(buyers):
        for review in ranked[index % 3 :: 3][:4]:
            if review.consumer_id != buyer.pk:
                helpful_vote(consumer=buyer, review_id=review.pk)
                votes += 1
    community_rescore(now=now)
    expert_review, sharer_review = ranked[0], ranked[1]
    expert = User.objects.get(pk=expert_review.consumer_id)
    sharer = User.objects.get(pk=sharer_review.consumer_id)
    metrics = tier_metrics(consumer_ids=[expert.pk, sharer.pk], now=now)
    tier_change_record(consumer=expert, row=None, new=Tier.PLATFORM_EXPERT, metrics=metrics[expert.pk],
                       reason="演示数据：直接设为平台达人（按公开标准的每日评估会重新计算）", now=now)
    tier_change_record(consumer=sharer, row=None, new=Tier.QUALITY_SHARER, metrics=metrics[sharer.pk],
                       reason="演示数据：直接设为优质分享者（按公开标准的每日评估会重新计算）", now=now)
    product = expert_review.product
    membership = (
        Membership.objects.filter(organization=product.merchant, role__in=[Role.OWNER, Role.ADMIN, Role.STAFF])
        .select_related("user").first()
    )
    trials = 0
    if membership is not None:
        merchant = Actor(organization=product.merchant, role=membership.role, user=membership.user)
        trials = _trial_with_review(merchant=merchant, product=product, expert=expert,
                                    public_id=expert_review.reviewer, now=now)
    return {"votes": votes, "reviews": len(reviews), "tiers": 2, "trials": trials}


_SHANGHAI = dt.timezone(dt.timedelta(hours=8))



def _trial_with_review(*, merchant: Actor, product: Product, expert: User, public_id: str, now: dt.datetime) -> int:
    """Ten days ago the merchant opened a trial and the expert accepted; the expert then ordered through the shop,
    received the parcel and reviewed it, so the feed shows a "试用体验" review. Returns the trials made."""
    # Never before the product's first lot was made (the demo mushrooms' oldest lot is nine days old).
    first_made = product.batches.order_by("production_date").values_list("production_date", flat=True).first()
    start = now - dt.timedelta(days=10)
    if first_made is not None:
        start = max(start, dt.datetime.combine(first_made + dt.timedelta(days=1), dt.time(9), tzinfo=_SHANGHAI))
    with clock.played_at(start):
        event = trial_event_create(
            actor=merchant, product_id=product.pk, kind="trial", title=f"{product.name} 新品试用",
            slots=3, starts_on=start.date(), ends_on=start.date() + dt.timedelta(days=14),
        )
        invitation = trial_invite(actor=merchant, event_id=event.pk, public_id=public_id)
    with clock.played_at(start + dt.timedelta(hours=2)):
        trial_respond(consumer=expert, participation_id=invitation.pk, accept=True)
    item = (
        Item.objects.filter(product=product).exclude(pk__in=ShipmentItem.objects.values("item_id"))
        .order_by("batch__production_date", "-id").first()
    )
    if item is None:  # nothing left to ship: the trial stays without its review
        return 1
    placed = start + dt.timedelta(hours=3)
    with clock.played_at(placed):
        order = order_place(consumer=expert, lines=[LineRequest(product_id=product.pk, quantity=1)],
                            recipient_name="演示达人", recipient_phone=expert.phone or "",
                            shipping_address="云南省昆明市五华区演示路 2 号")
    with clock.played_at(placed + dt.timedelta(minutes=3)):
        payment = payment_start(consumer=expert, order_number=order.number, return_url="/shop/orders/")
        SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
        payment_refresh(payment_id=payment.pk)
    shipped = placed + dt.timedelta(hours=6)
    with clock.played_at(shipped):
        order_ship(actor=merchant, order_number=order.number, codes=[item.digital_link.path], carrier="顺丰速运",
                   tracking_number=f"SF{order.number[-10:]}", shipped_at=shipped)
    with clock.played_at(shipped + dt.timedelta(hours=26)):
        order_delivery_confirm(consumer=expert, order_number=order.number)
    with clock.played_at(shipped + dt.timedelta(days=2)):
        review = review_post(consumer=expert, line_id=order.lines.get().pk, stars=4, text=TRIAL_REVIEW,
                             seller_ratings={"description": 4, "service": 5, "logistics": 4})
    review_sync(review_id=review.pk, now=now)
    return 1
