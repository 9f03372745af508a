"""What the badges read: public facts only (a listed product's stored score, a standing membership, an active
programme with its signed artwork hash)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from xinren.aftersales.models.programmes import GuaranteeProgramme, ProgrammeMembership
from xinren.aftersales.programmes.choices import ProgrammeStatus as GuaranteeStatus
from xinren.attest.proofs import logged_statements
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import ListingSuspension, Product
from xinren.trust.choices import ProgrammeStatus
from xinren.trust.models import ProductScore, Programme
from xinren.trust.scores.formula import CURRENT_VERSION

XINRENGOU = "xinren-gou"  # the 信任购 guarantee programme's slug (aftersales/demo_programmes.py)


def public_url(path: str) -> str:
    """An absolute link: the badge is shown on other sites."""
    return f"{settings.XINREN_PUBLIC_ORIGIN}{path}"


@dataclass(frozen=True)
class ScoreBadge:
    gtin: str
    score: Decimal | None
    version: str
    state: str  # listed, suspended, delisted


def score_badge_read(gtin: str) -> ScoreBadge | None:
    """The stored score of a product that has been listed (drafts are not public), or None."""
    product = Product.objects.filter(gtin=gtin, status__in=[ProductStatus.ACTIVE, ProductStatus.DELISTED]).first()
    if product is None:
        return None
    row = ProductScore.objects.filter(product=product, version=CURRENT_VERSION).values_list("score").first()
    state = "delisted" if product.status == ProductStatus.DELISTED else "listed"
    if state == "listed" and ListingSuspension.objects.filter(product=product, lifted_at__isnull=True).exists():
        state = "suspended"
    return ScoreBadge(gtin=gtin, score=None if row is None else row[0], version=CURRENT_VERSION, state=state)


def xinrengou_membership(merchant_slug: str) -> ProgrammeMembership | None:
    """The merchant's standing membership of 信任购, or None (no badge for non-members)."""
    return (
        ProgrammeMembership.objects.filter(
            merchant__slug=merchant_slug, left_at__isnull=True, programme__slug=XINRENGOU,
            programme__status=GuaranteeStatus.ACTIVE,
        ).select_related("programme", "merchant").first()
    )  # fmt: skip


def programme_read(code: str) -> Programme | None:
    """The active regional programme of this code (the newest, if two alliances used it)."""
    return Programme.objects.filter(code=code, status=ProgrammeStatus.ACTIVE).order_by("-pk").first()


def programme_signed_sha256(programme: Programme) -> str:
    """The badge hash in the alliance's signed `trust.programme` statement ("" when none is logged)."""
    if not programme.ledger_leaf_hash:
        return ""
    leaf = bytes.fromhex(programme.ledger_leaf_hash)
    found = logged_statements([leaf]).get(leaf)
    statement = None if found is None else found[1]
    return str((statement or {}).get("badge_sha256") or "")


def guarantee_url(programme: GuaranteeProgramme) -> str:
    return public_url(f"/guarantees/{programme.slug}/")
