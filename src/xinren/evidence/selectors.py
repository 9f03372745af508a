"""Reads for the consumer page, the console and other contexts (trust labels)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind
from xinren.attest.proofs import MISMATCH, LedgerProof, Proof
from xinren.catalog.choices import ProductStatus
from xinren.catalog.images import (
    DISPLAY_SIDE,
    THUMB_SIDE,
    PhotoRef,
    photo_for,
    product_image_variants,
    product_photo,
)
from xinren.catalog.models import Batch, Product, ProductImage
from xinren.catalog.selectors import owners_trusting
from xinren.core.errors import DomainError, NotFound
from xinren.trace.models import EventSubject

from . import errors
from .choices import EvidenceStatus, MediaKind, Purpose
from .media.posters import POSTER_SIZE, TILE_SIZE, duration_text
from .models import EVIDENCE_VARIANTS, Evidence, MediaFile
from .verification import evidence_proofs


def evidence_for(
    *,
    product: Product,
    batch: Batch | None = None,
    purposes: Iterable[str] | None = None,
    active_only: bool = True,
) -> QuerySet[Evidence]:
    """The evidence a consumer page shows: on the product, and on a lot page also on the lot and the lot's
    shared events (events naming the lot, not single items). Active only unless asked otherwise.

    Rows carry `media` and `organization`; check their ledger state with `verification.evidence_proofs`.
    """
    shared_events = EventSubject.objects.filter(product=product, item__isnull=True)
    if batch is not None:
        condition = Q(product=product) | Q(batch=batch)
        shared_events = shared_events.filter(Q(batch=batch) | Q(batch__isnull=True))
    else:
        condition = Q(product=product)
        shared_events = shared_events.filter(batch__isnull=True)
    condition |= Q(event_id__in=shared_events.filter(event__is_error_declaration=False).values("event_id"))
    rows = Evidence.objects.filter(condition).select_related("media", "organization")
    if purposes is not None:
        rows = rows.filter(purpose__in=list(purposes))
    if active_only:
        rows = rows.filter(status=EvidenceStatus.ACTIVE)
    return rows.order_by(F("taken_at").asc(nulls_last=True), "created_at", "id")


_PUBLIC = (ProductStatus.ACTIVE, ProductStatus.DELISTED)
# The page stays small (≤ 150 KiB) however much a merchant uploads: the album shows the first photos and videos
# of each purpose in order, and says how many more there are.
ALBUM_MAX_PHOTOS = 24


class AlbumItem(TypedDict, closed=True):
    """One photo, video or certificate of the album, with who vouched for it and its proof."""

    id: int
    kind: str  # a MediaKind
    purpose: str  # a Purpose
    purpose_label: str
    caption: str
    vouched_by: str
    vouched_by_kind: str
    taken_at: str | None
    taken_on: str  # the local date, "" when unknown
    sha256: str
    mime: str
    size: int
    duration: str
    pages: int | None
    thumb_url: str
    thumb_width: int
    thumb_height: int
    full_url: str
    original_url: str
    proof: LedgerProof
    photo: PhotoRef | None  # a photo's responsive variants, when made


class AlbumCover(TypedDict, closed=True):
    """The product's first photo, on top of the album."""

    url: str
    thumb_url: str
    width: int
    height: int
    sha256: str
    photo: PhotoRef | None


class Album(TypedDict, closed=True):
    """The trace album section (溯源相册)."""

    cover: AlbumCover | None
    photos: list[AlbumItem]  # photos and videos, at most ALBUM_MAX_PHOTOS
    certificates: list[AlbumItem]
    more: int  # photos and videos past ALBUM_MAX_PHOTOS
    hidden: int  # evidence whose logged statement no longer matches: counted, never shown
    count: int


def evidence_list(*, actor: Actor, product_id: int, batch_id: int | None = None) -> QuerySet[Evidence]:
    """Evidence on a product (or one of its lots) as the actor may see it.

    The product's merchant sees everything, withdrawals and reasons included; any other organization sees
    what it vouched for itself and, on a published product, the active evidence the public album shows.
    """
    product = Product.objects.filter(pk=product_id).first()
    owner = product is not None and product.merchant_id == actor.organization.pk
    public = product is not None and product.status in _PUBLIC
    if product is None or not (owner or public or owners_trusting(partner=actor.organization).filter(
            pk=product.merchant_id).exists()):
        raise NotFound(errors.SUBJECT_NOT_FOUND, _("找不到该商品"))
    batch = None
    if batch_id is not None:
        batch = Batch.objects.filter(pk=batch_id, product=product).first()
        if batch is None:
            raise NotFound(errors.SUBJECT_NOT_FOUND, _("找不到该批次"))
    rows = evidence_for(product=product, batch=batch, active_only=False)
    if not owner:
        visible = Q(organization=actor.organization)
        if public:
            visible |= Q(status=EvidenceStatus.ACTIVE)
        rows = rows.filter(visible)
    return rows


def evidence_get_own(*, actor: Actor, evidence_id: int) -> Evidence:
    """Evidence the actor's organization vouched for (the only evidence it may withdraw)."""
    evidence = (
        Evidence.objects.filter(pk=evidence_id, organization=actor.organization)
        .select_related("media", "organization").first()
    )
    if evidence is None:
        raise NotFound(errors.NOT_FOUND, _("找不到该证据"))
    return evidence


def _url(name: str) -> str:
    return default_storage.url(name) if name else ""


def media_photo(media: MediaFile) -> PhotoRef | None:
    """A photo's responsive variants (catalog/images.py), or None for videos, PDFs and photos stored before
    variants existed and not yet backfilled (`manage.py photos_backfill`)."""
    if not media.variants or not media.width or not media.height:
        return None
    return {"prefix": EVIDENCE_VARIANTS, "sha256": media.sha256, "width": media.width, "height": media.height}


def thumbnail_size(media: MediaFile) -> tuple[int, int]:
    """The thumbnail's width and height, as drawn at ingest (for the page's width/height attributes)."""
    if media.kind == MediaKind.VIDEO:
        return POSTER_SIZE
    if media.kind == MediaKind.PDF:
        return TILE_SIZE
    width, height = media.width or THUMB_SIDE, media.height or THUMB_SIDE
    scale = min(1.0, THUMB_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _album_item(evidence: Evidence, proof: Proof) -> AlbumItem:
    media = evidence.media
    width, height = thumbnail_size(media)
    return {
        "id": evidence.pk,
        "kind": media.kind,
        "purpose": evidence.purpose,
        "purpose_label": str(Purpose(evidence.purpose).label),
        "caption": evidence.caption,
        "vouched_by": evidence.organization.name,
        "vouched_by_kind": str(OrganizationKind(evidence.organization.kind).label),
        "taken_at": evidence.taken_at.isoformat() if evidence.taken_at else None,
        "taken_on": timezone.localtime(evidence.taken_at).date().isoformat() if evidence.taken_at else "",
        "sha256": media.sha256,
        "mime": media.mime,
        "size": media.size,
        "duration": duration_text(media.duration_ms),
        "pages": media.pages,
        "thumb_url": _url(media.thumbnail),
        "thumb_width": width,
        "thumb_height": height,
        "full_url": _url(media.display or media.original),
        "original_url": _url(media.original),
        "proof": proof.as_dict(),
        "photo": media_photo(media),
    }


def _cover(product: Product) -> AlbumCover | None:
    image = ProductImage.objects.filter(product=product).order_by("position", "id").first()
    if image is None:
        return None
    photo = product_photo(image)
    if photo is not None:  # its size is known: no file to open
        large, thumb = photo_for(photo, src_width=DISPLAY_SIDE), photo_for(photo, src_width=THUMB_SIDE)
        return {"url": large["src"], "thumb_url": thumb["src"], "width": large["width"], "height": large["height"],
                "sha256": image.sha256, "photo": photo}
    try:
        names = product_image_variants(image)
        with default_storage.open(names["display"], "rb") as stored, Image.open(stored) as display:
            width, height = display.size
    except (OSError, DomainError):  # a missing or unreadable photo leaves the album without a cover
        return None
    return {"url": _url(names["display"]), "thumb_url": _url(names["thumbnail"]), "width": width,
            "height": height, "sha256": image.sha256, "photo": None}


def album_for(*, product: Product, batch: Batch | None) -> Album | None:
    """The trace album (溯源相册) of a product and lot for the consumer page, or None when it is empty.

    Only active evidence whose logged statement still matches is shown; evidence that no longer matches
    its statement is counted in `hidden`, never shown. Certificates are listed apart from photos and videos;
    past ALBUM_MAX_PHOTOS photos and videos, the rest are counted in `more`.
    """
    rows = list(evidence_for(product=product, batch=batch))
    if not rows:
        return None
    proofs = evidence_proofs(rows)
    shown = [(row, proofs[row.pk]) for row in rows if proofs[row.pk].state != MISMATCH]
    order = {purpose: position for position, purpose in enumerate(Purpose.values)}
    shown.sort(key=lambda pair: order[pair[0].purpose])  # stable: keeps the time order within a purpose
    certificates = [pair for pair in shown if pair[0].purpose == Purpose.CERTIFICATE]
    photos = [pair for pair in shown if pair[0].purpose != Purpose.CERTIFICATE]
    return {
        "cover": _cover(product),
        "photos": [_album_item(row, proof) for row, proof in photos[:ALBUM_MAX_PHOTOS]],
        "certificates": [_album_item(row, proof) for row, proof in certificates],
        "more": max(0, len(photos) - ALBUM_MAX_PHOTOS),
        "hidden": len(rows) - len(shown),
        "count": len(shown),
    }
