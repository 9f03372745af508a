"""The operators' acts on brushing rings: store what the detector found, confirm or dismiss (ADR 0050).

The detector's flag and each decision are signed by the platform (`governance.ring.flag`,
`governance.ring.decision`, with the detector's version; no buyer named). Confirming folds the members' reviews of
the shop's products with the operator's public reason through reviews' own fold service (never deleted, each fold
signed there), settles their reward points through community (a folded review's points are reversed), and records
a shop-level brushing flag that the merchant risk score counts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Organization
from xinren.accounts.services import platform_organization
from xinren.attest.keys import owner_of
from xinren.attest.signing import statement_sign_and_append
from xinren.community.services.rewards import review_sync
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.reviews.choices import FlagReason, FlagStatus, FoldSource
from xinren.reviews.models import Flag
from xinren.reviews.models import Review as ReviewRow
from xinren.reviews.services.reviews import review_fold
from xinren.reviews.services.shared import text_clean

from ..models import BrushingRing, RingStatus
from ..statements.rings import RING_DECISION, RING_FLAG
from .graph import VERSION, Ring

RING_NOT_FOUND = "rings.not_found"
RING_DECIDED = "rings.already_decided"
RING_UNKNOWN_SHOP = "rings.unknown_shop"
REASON_MAX = 200


def _evidence_public(evidence: list[dict[str, object]], members: int) -> list[dict[str, object]]:
    """The signals as the statement carries them: name, members covered, coverage (no buyer, no detail)."""
    out: list[dict[str, object]] = []
    for item in evidence:
        covered = min(int(str(item.get("buyers", 0))), members)
        coverage = float(str(item.get("coverage", covered / members if members else 0.0)))
        out.append({"signal": str(item["signal"]), "buyers": covered, "coverage": round(min(coverage, 1.0), 3)})
    return out


def _sign_flag(row: BrushingRing) -> str:
    statement = {
        "type": RING_FLAG,
        "subject": owner_of(row.shop),
        "merchant": owner_of(row.shop),
        "ring": row.fingerprint,
        "members": len(row.members),
        "score": float(row.score),
        "detector_version": row.detector_version,
        "evidence": _evidence_public(row.evidence, len(row.members)),
    }
    return statement_sign_and_append(organization=platform_organization(), statement=statement).leaf_hash


def _sign_decision(ring: BrushingRing, *, decision: str) -> str:
    statement: dict[str, object] = {
        "type": RING_DECISION,
        "subject": owner_of(ring.shop),
        "merchant": owner_of(ring.shop),
        "ring": ring.fingerprint,
        "decision": decision,
        "reason": ring.decision_reason,
        "reviews_folded": ring.reviews_folded,
        "detector_version": ring.detector_version,
    }
    if ring.flag_leaf_hash:
        statement["flag_statement"] = ring.flag_leaf_hash
    return statement_sign_and_append(organization=platform_organization(), statement=statement).leaf_hash


def ring_fingerprint(*, shop: str, members: list[str]) -> str:
    return hashlib.sha256(f"{shop}|{','.join(sorted(members))}".encode()).hexdigest()


@transaction.atomic
def rings_store(*, rings: list[Ring], now: datetime) -> list[BrushingRing]:
    """Keep the rings found on the platform's tables (shop = organization id), each once; returns the new ones."""
    shops = {str(o.pk): o for o in Organization.objects.filter(pk__in=[int(r.shop) for r in rings if r.shop.isdigit()])}
    unknown = sorted({r.shop for r in rings} - set(shops))
    if unknown:
        raise InvalidInput(RING_UNKNOWN_SHOP, _("找不到店铺：%(shops)s") % {"shops": ", ".join(unknown)})
    stored = []
    for ring in rings:
        fingerprint = ring_fingerprint(shop=ring.shop, members=ring.buyers)
        row, created = BrushingRing.objects.get_or_create(
            fingerprint=fingerprint,
            defaults={
                "shop": shops[ring.shop],
                "members": [int(b) if b.isdigit() else b for b in ring.buyers],
                "score": ring.score,
                "evidence": ring.evidence,
                "detector_version": VERSION,
                "detected_at": now,
            },
        )
        if created:
            row.flag_leaf_hash = _sign_flag(row)
            row.save(update_fields=["flag_leaf_hash"])
            audit_record(
                actor=None,
                organization=row.shop,
                action="rings.flagged",
                target=row,
                data={"members": len(ring.buyers), "score": ring.score, "version": VERSION},
            )
            stored.append(row)
    return stored


def _ring_for_decision(ring_id: int) -> BrushingRing:
    ring = BrushingRing.objects.select_for_update().filter(pk=ring_id).first()
    if ring is None:
        raise NotFound(RING_NOT_FOUND, _("找不到该刷单团伙"))
    if ring.status != RingStatus.FLAGGED:
        raise Conflict(RING_DECIDED, _("该团伙已处理"))
    return ring


@transaction.atomic
def ring_confirm(*, actor: Actor, ring_id: int, reason: str, now: datetime) -> BrushingRing:
    """A platform admin confirms a ring: its members' visible reviews at the shop are folded with `reason` (public),
    their points reversed, and the shop gets an upheld brushing flag (the risk score counts it)."""
    actor.require(role=Role.ADMIN, kinds=[OrganizationKind.PLATFORM])
    reason = text_clean(reason, field="reason", minimum=2, maximum=REASON_MAX)
    ring = _ring_for_decision(ring_id)
    reviews = list(
        ReviewRow.objects.filter(merchant=ring.shop, consumer_id__in=ring.members)
        .exclude(folds__source=FoldSource.OPERATOR)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for review_id in reviews:
        review_fold(actor=actor, review_id=review_id, reason=reason)
        review_sync(review_id=review_id, now=now)  # a folded review's reward points are reversed
    Flag.objects.create(
        reason=FlagReason.BRUSHING,
        merchant=ring.shop,
        created_at=now,
        status=FlagStatus.RESOLVED,
        upheld=True,
        resolution_note=reason[:200],
        resolved_by=actor.user,
        resolved_at=now,
        details={"ring": ring.pk, "members": len(ring.members), "score": ring.score, "detector": ring.detector_version},
    )
    ring.status = RingStatus.CONFIRMED
    ring.decided_at, ring.decided_by, ring.decision_reason = now, actor.user, reason
    ring.reviews_folded = len(reviews)
    ring.decision_leaf_hash = _sign_decision(ring, decision="confirmed")
    ring.save(
        update_fields=["status", "decided_at", "decided_by", "decision_reason", "reviews_folded", "decision_leaf_hash"]
    )
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="rings.confirmed",
        target=ring,
        data={"reviews_folded": len(reviews), "detector": ring.detector_version},
    )
    return ring


@transaction.atomic
def ring_dismiss(*, actor: Actor, ring_id: int, reason: str, now: datetime) -> BrushingRing:
    """Platform staff dismiss a ring the detector got wrong; nothing else changes."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.PLATFORM])
    reason = text_clean(reason, field="reason", minimum=2, maximum=REASON_MAX)
    ring = _ring_for_decision(ring_id)
    ring.status = RingStatus.DISMISSED
    ring.decided_at, ring.decided_by, ring.decision_reason = now, actor.user, reason
    ring.decision_leaf_hash = _sign_decision(ring, decision="dismissed")
    ring.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "decision_leaf_hash"])
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="rings.dismissed",
        target=ring,
        data={"detector": ring.detector_version},
    )
    return ring
