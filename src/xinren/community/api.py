"""Community feed (好物圈) JSON API, mounted at /api/v1/community.

The feed, tiers and quality explanations are public. Votes, points, tiers and trial answers are the signed-in
consumer's (`accounts.authentication.ConsumerSession`: session cookie + CSRF). Merchants open trials and invite
experts with an API key or a console session (the API's default schemes).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from xinren.accounts.authentication import CONSUMER, actor_of, consumer_of
from xinren.accounts.consumers import is_consumer
from xinren.core.errors import NotFound
from xinren.core.schemas import ERRORS

from . import errors, quality, selectors, services, tiers
from .choices import Tier
from .models import QualityScore

router = Router(tags=["community"])


class FeedIn(Schema):
    category: str = Field("", description="a product category code, e.g. wild_mushroom")
    product_id: int | None = None
    after: str = Field("", description="the `next` cursor of the previous page")
    limit: int = Field(selectors.FEED_LIMIT, ge=1, le=selectors.FEED_LIMIT_MAX)


class ComponentOut(Schema):
    key: str
    label: str
    value: int
    weight: int
    points: float


class QualityOut(Schema):
    score: int
    version: str
    components: list[ComponentOut]


class FeedItemOut(Schema):
    kind: str = Field(description="review or diary")
    cursor: str
    review_id: int
    reviewer: str = Field(
        description="the reviewer as pages name them: a masked nickname (王**) or a default name (信任用户 3F**); "
        "never a phone, a full nickname or the pseudonym"
    )
    tier: str
    tier_label: str
    product_id: int
    product_name: str
    category: str
    gtin: str
    stars: int
    text: str
    milestone: int | None
    tags: list[str]
    created_at: datetime
    helpful: int
    voted: bool
    trial_label: str
    quality: QualityOut | None
    ledger_leaf_hash: str


class FeedOut(Schema):
    items: list[FeedItemOut]
    next: str


class VoteOut(Schema):
    review_id: int
    helpful: int
    voted: bool


class PointsEntryOut(Schema):
    points: int
    reason: str
    review_id: int | None
    note: str
    created_at: datetime


class PointsOut(Schema):
    balance: int
    entries: list[PointsEntryOut]


class TierChangeOut(Schema):
    from_tier: str
    to_tier: str
    reason: str
    metrics: dict[str, int]
    criteria_version: str
    ledger_leaf_hash: str
    at: datetime


class MyTierOut(Schema):
    tier: str
    label: str
    public_id: str
    since: datetime | None
    metrics: dict[str, int]
    history: list[TierChangeOut]


class TrialEventIn(Schema):
    product_id: int
    kind: str = Field(description="trial or factory_visit")
    title: str
    slots: int
    starts_on: date
    ends_on: date


class TrialEventOut(Schema):
    id: int
    product_id: int
    kind: str
    title: str
    slots: int
    starts_on: date
    ends_on: date
    ledger_leaf_hash: str


class InviteIn(Schema):
    public_id: str = Field(description="the expert's pseudonym (GET /experts)")


class ParticipationOut(Schema):
    id: int
    event_id: int
    status: str
    invited_at: datetime
    responded_at: datetime | None
    ledger_leaf_hash: str


class ExpertOut(Schema):
    public_id: str
    since: datetime
    metrics: dict[str, int]


@router.get("/feed", response={200: FeedOut, **ERRORS}, auth=None, summary="Public: the community feed")
def feed(request: HttpRequest, params: Query[FeedIn]) -> Any:
    viewer = request.user if is_consumer(request.user) else None
    return selectors.feed_page(viewer=viewer, **params.model_dump())  # type: ignore[arg-type]


@router.get("/tiers", auth=None, summary="Public: the expert tiers and their published criteria")
def tier_criteria(request: HttpRequest) -> Any:
    return {"version": tiers.VERSION, "window_days": tiers.WINDOW_DAYS,
            "tiers": [{**row, "label": str(row["label"]), "privileges": str(row["privileges"]),
                       "criteria": [{**c, "label": str(c["label"])} for c in row["criteria"]]}  # type: ignore[attr-defined]
                      for row in tiers.published()]}


@router.get("/reviews/{review_id}/quality", response={200: QualityOut, **ERRORS}, auth=None,
            summary="Public: a review's quality score and why")
def review_quality(request: HttpRequest, review_id: int) -> Any:
    score = QualityScore.objects.filter(review_id=review_id).first()
    if score is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    return {"score": score.score, "version": score.version, "components": quality.explain(score.components)}


@router.post("/reviews/{review_id}/helpful", response={200: VoteOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: this review was helpful (once; not one's own)")
def helpful_vote(request: HttpRequest, review_id: int) -> Any:
    count = services.helpful_vote(consumer=consumer_of(request), review_id=review_id)
    return {"review_id": review_id, "helpful": count, "voted": True}


@router.delete("/reviews/{review_id}/helpful", response={200: VoteOut, **ERRORS}, auth=CONSUMER,
               summary="Consumer: take back one's helpful vote")
def helpful_unvote(request: HttpRequest, review_id: int) -> Any:
    count = services.helpful_unvote(consumer=consumer_of(request), review_id=review_id)
    return {"review_id": review_id, "helpful": count, "voted": False}


@router.get("/me/points", response={200: PointsOut, **ERRORS}, auth=CONSUMER, summary="Consumer: my points")
def my_points(request: HttpRequest) -> Any:
    consumer = consumer_of(request)
    return {"balance": selectors.points_balance(consumer=consumer),
            "entries": list(selectors.points_entries(consumer=consumer)[:200])}


@router.get("/me/tier", response={200: MyTierOut, **ERRORS}, auth=CONSUMER, summary="Consumer: my expert tier")
def my_tier(request: HttpRequest) -> Any:
    consumer = consumer_of(request)
    row = selectors.consumer_tier(consumer=consumer)
    tier = row.tier if row else Tier.ORDINARY
    return {"tier": tier, "label": str(Tier(tier).label), "public_id": row.public_id if row else "",
            "since": row.since if row else None, "metrics": row.metrics if row else {},
            "history": selectors.tier_history(consumer=consumer)}


@router.get("/me/trials", response={200: list[ParticipationOut], **ERRORS}, auth=CONSUMER,
            summary="Consumer: my trial invitations")
def my_trials(request: HttpRequest) -> Any:
    return selectors.trial_invitations(consumer=consumer_of(request))


@router.post("/me/trials/{participation_id}/accept", response={200: ParticipationOut, **ERRORS}, auth=CONSUMER,
             summary="Expert: accept a trial invitation")
def trial_accept(request: HttpRequest, participation_id: int) -> Any:
    return services.trial_respond(consumer=consumer_of(request), participation_id=participation_id, accept=True)


@router.post("/me/trials/{participation_id}/decline", response={200: ParticipationOut, **ERRORS}, auth=CONSUMER,
             summary="Expert: decline a trial invitation")
def trial_decline(request: HttpRequest, participation_id: int) -> Any:
    return services.trial_respond(consumer=consumer_of(request), participation_id=participation_id, accept=False)


@router.get("/experts", response={200: list[ExpertOut], **ERRORS}, summary="Merchant: platform experts to invite")
def expert_list(request: HttpRequest) -> Any:
    return selectors.expert_list(actor=actor_of(request))


@router.post("/trials", response={201: TrialEventOut, **ERRORS}, summary="Merchant: open a trial or factory visit")
def trial_event_create(request: HttpRequest, payload: TrialEventIn) -> Any:
    return Status(201, services.trial_event_create(actor=actor_of(request), **payload.model_dump()))


@router.post("/trials/{event_id}/invite", response={201: ParticipationOut, **ERRORS},
             summary="Merchant: invite a platform expert")
def trial_invite(request: HttpRequest, event_id: int, payload: InviteIn) -> Any:
    return Status(201, services.trial_invite(actor=actor_of(request), event_id=event_id, public_id=payload.public_id))
