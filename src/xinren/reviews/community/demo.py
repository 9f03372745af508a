"""Demo community: helpful votes between the demo buyers, scores and points, one platform expert and one quality
sharer, and one trial event the expert accepted.

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
from xinren.core import clock

from ..choices import ReviewStatus
from ..models import Review
from .choices import Tier
from .models import HelpfulVote
from .services import (
    community_rescore,
    helpful_vote,
    tier_change_record,
    trial_event_create,
    trial_invite,
    trial_respond,
)
from .services.tier_evaluation import tier_metrics


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
        event = trial_event_create(
            actor=merchant, product_id=product.pk, kind="trial", title=f"{product.name} 新品试用",
            slots=3, starts_on=now.date(), ends_on=now.date() + dt.timedelta(days=14),
        )
        invitation = trial_invite(actor=merchant, event_id=event.pk, public_id=expert_review.reviewer)
        trial_respond(consumer=expert, participation_id=invitation.pk, accept=True)
        trials = 1
    return {"votes": votes, "reviews": len(reviews), "tiers": 2, "trials": trials}
