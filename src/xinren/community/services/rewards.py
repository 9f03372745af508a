"""Quality scores and reward points (积分) of reviews.

`review_sync` recomputes one review's quality score and settles its points: it pays each reward whose condition
now holds and that was never paid, and, when the review is folded, reverses every payment not yet reversed. The
ledger (`PointsEntry`) is append-only and unique per (review, reason), so running it twice pays nothing twice.
A review shown again after an operator dismissed the flags that folded it is paid again
(`<reason>.reinstated`), and reversed again if folded again (`<reason>.reversed.2`). It is called by this app's
own services (votes), by `review_sync_task`, which the reviews core's REVIEW_CHANGED event queues when a review is
posted, diaried, folded or unfolded (ADR 0013), and by `community_rescore` (run hourly), the safety net that picks
up whatever those missed: new reviews, diary entries, folds, unfolds, media.
No reward looks at the stars (Consumer Protection Regulations art. 9: no 好评返现).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, models, transaction
from django.db.models import Count, Sum

from xinren.core import clock
from xinren.reviews import choices as review_choices
from xinren.reviews.models import DiaryEntry, Fold, Review

from .. import quality
from ..choices import REINSTATED_SUFFIX, REVERSAL_SUFFIX, PointsReason, points_reason_parts
from ..models import HelpfulVote, PointsEntry, QualityScore

# Points per reason. Each is paid at most once per review.
POINTS: dict[str, int] = {
    PointsReason.QUALITY_60: 10,
    PointsReason.QUALITY_80: 20,
    PointsReason.DIARY_COMPLETE: 15,
    PointsReason.HELPFUL_10: 5,
    PointsReason.HELPFUL_50: 20,
}
ALL_MILESTONES = frozenset({7, 15, 30})
_OWN_MODELS = frozenset({"community"})


def _media_relations() -> list[tuple[type[models.Model], str]]:
    """Models of the reviews core that attach photos or videos to a review (whatever it names them), with the
    field pointing at the review. Found by relation, so the score counts media as soon as that model lands."""
    found = []
    for relation in Review._meta.related_objects:
        model = relation.related_model
        if not isinstance(model, type) or model._meta.app_label in _OWN_MODELS:
            continue
        name = model.__name__.lower()
        if any(word in name for word in ("media", "photo", "image", "video", "attachment")):
            found.append((model, relation.field.name))
    return found


def media_counts(review_ids: Iterable[int]) -> dict[int, int]:
    """Photos and videos attached to each review (0 where none, or while no media model exists)."""
    ids = list(review_ids)
    counts: dict[int, int] = dict.fromkeys(ids, 0)
    for model, field in _media_relations():
        rows = model._default_manager.filter(**{f"{field}_id__in": ids}).values(field).annotate(n=Count("pk"))
        for row in rows:
            counts[row[field]] += row["n"]
    return counts


def quality_inputs(review: Review, *, media: int, votes: int) -> quality.QualityInputs:
    milestones = tuple(DiaryEntry.objects.filter(review=review).values_list("milestone", flat=True))
    return quality.QualityInputs(text=review.text, media=media, diary_milestones=milestones, helpful_votes=votes)


def _score_store(review: Review, result: quality.QualityResult, now: datetime) -> QualityScore:
    score, _created = QualityScore.objects.update_or_create(
        review=review,
        defaults={"score": result.score, "version": result.version, "components": result.components,
                  "inputs": result.inputs, "computed_at": now},
    )
    return score


def _pay(*, review: Review, reason: str, points: int, now: datetime, note: str = "") -> bool:
    try:
        with transaction.atomic():
            PointsEntry.objects.create(consumer_id=review.consumer_id, review=review, reason=reason, points=points,
                                       note=note, created_at=now)
    except IntegrityError:  # already paid (a concurrent run got there first)
        return False
    return True


def _due_reasons(*, score: int, milestones: set[int], votes: int) -> list[str]:
    due: list[str] = []
    if score >= 60:
        due.append(PointsReason.QUALITY_60)
    if score >= 80:
        due.append(PointsReason.QUALITY_80)
    if milestones >= ALL_MILESTONES:
        due.append(PointsReason.DIARY_COMPLETE)
    if votes >= 10:
        due.append(PointsReason.HELPFUL_10)
    if votes >= 50:
        due.append(PointsReason.HELPFUL_50)
    return due


def _cycle_reason(base: str, suffix: str, entries: dict[str, int]) -> str:
    """The next free reason for a reversal or a reinstatement of `base`: "<base>.reversed", then ".reversed.2" …"""
    reason, cycle = base + suffix, 1
    while reason in entries:
        cycle += 1
        reason = f"{base}{suffix}.{cycle}"
    return reason


def _settle_points(*, review: Review, score: int, milestones: set[int], votes: int, now: datetime) -> int:
    """Pay what is due or, for a folded review, reverse what was paid; a review shown again after a reversal is
    paid again (a reinstatement). Each write has its own reason, so the unique key still forbids paying twice.
    Returns the points written (net)."""
    entries = dict(PointsEntry.objects.filter(review=review).values_list("reason", "points"))
    net: dict[str, int] = {}
    for reason, points in entries.items():
        base = points_reason_parts(reason)[0]
        net[base] = net.get(base, 0) + points
    written = 0
    if review.status == review_choices.ReviewStatus.FOLDED:
        for base, balance in net.items():
            if balance > 0 and _pay(review=review, reason=_cycle_reason(base, REVERSAL_SUFFIX, entries),
                                    points=-balance, now=now, note=review.fold_reason[:200]):
                written -= balance
        return written
    for base in _due_reasons(score=score, milestones=milestones, votes=votes):
        if net.get(base, 0) > 0:
            continue
        reason = base if base not in entries else _cycle_reason(base, REINSTATED_SUFFIX, entries)
        if _pay(review=review, reason=reason, points=POINTS[base], now=now):
            written += POINTS[base]
    return written


@transaction.atomic
def review_sync(*, review_id: int, now: datetime | None = None) -> QualityScore:
    """Recompute a review's quality score and settle its reward points (pay what is due, reverse on a fold)."""
    now = now or clock.now()
    # The review's row lock serialises syncs of one review (votes, the hourly run, a fold in the reviews core).
    review = Review.objects.select_for_update(of=("self",)).get(pk=review_id)
    votes = HelpfulVote.objects.filter(review=review).count()
    inputs = quality_inputs(review, media=media_counts([review.pk])[review.pk], votes=votes)
    result = quality.quality_compute(inputs)
    score = _score_store(review, result, now)
    _settle_points(review=review, score=result.score, milestones=set(inputs.diary_milestones), votes=votes, now=now)
    return score


def changed_review_ids(*, since: datetime) -> set[int]:
    """Reviews that may need a new score or a points settlement: posted, diaried, voted or folded since `since`,
    folded with points still unreversed, or never scored."""
    ids: set[int] = set(Review.objects.filter(created_at__gte=since).values_list("pk", flat=True))
    ids |= set(DiaryEntry.objects.filter(created_at__gte=since).values_list("review_id", flat=True))
    ids |= set(Fold.objects.filter(at__gte=since).values_list("review_id", flat=True))
    ids |= set(HelpfulVote.objects.filter(created_at__gte=since).values_list("review_id", flat=True))
    # Folded reviews with points still standing, and reviews shown again (unfolded) after a reversal.
    ids |= set(
        PointsEntry.objects.filter(review__status=review_choices.ReviewStatus.FOLDED).values("review_id")
        .annotate(net=Sum("points")).filter(net__gt=0).values_list("review_id", flat=True)
    )
    ids |= set(
        PointsEntry.objects.filter(review__status=review_choices.ReviewStatus.VISIBLE, points__lt=0)
        .values_list("review_id", flat=True)
    )
    ids |= set(Review.objects.filter(quality__isnull=True).values_list("pk", flat=True))
    return ids


def community_rescore(*, since: datetime | None = None, now: datetime | None = None) -> int:
    """Sync every review changed since `since` (all reviews when None), one transaction per review so a long run
    holds no lock for long. Returns how many reviews were synced."""
    now = now or clock.now()
    if since is None:
        ids: Iterable[int] = Review.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000)
    else:
        ids = sorted(changed_review_ids(since=since))
    count = 0
    for review_id in ids:
        review_sync(review_id=review_id, now=now)
        count += 1
    return count
