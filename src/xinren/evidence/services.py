"""Writes for evidence media: storing a file once, vouching for it in the ledger, withdrawing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import TRACE_KINDS, Role
from xinren.attest import signing
from xinren.catalog.grants import grant_covers, grant_refusal
from xinren.catalog.images import photo_variants_store
from xinren.catalog.models import Batch, Product
from xinren.catalog.selectors import owners_trusting
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.core.transitions import transition_check
from xinren.trace.models import EventSubject, TraceEvent

from . import errors
from .choices import ALL_KINDS, EVIDENCE_TRANSITIONS, EvidenceStatus, Purpose
from .media.prepare import Prepared, media_prepare
from .models import CAPTION_MAX, EVIDENCE_VARIANTS, Evidence, MediaFile
from .statements import EVIDENCE_MEDIA, EVIDENCE_WITHDRAWAL

REASON_MAX = 500
# Cameras' clocks drift; a photo "taken" a few minutes ahead of the server is not refused.
_CLOCK_SKEW = timedelta(minutes=10)


def storage_names(*, sha256: str, ext: str) -> dict[str, str]:
    """Where a file and its variants are stored: by digest, so that one file is stored once."""
    base = f"evidence/{sha256[:2]}/{sha256}"
    return {"original": f"{base}.{ext}", "thumbnail": f"{base}-thumb.jpg", "display": f"{base}-1280.jpg"}


def _store(prepared: Prepared) -> dict[str, str]:
    names = storage_names(sha256=prepared.sha256, ext=prepared.ext)
    files = {"original": prepared.content, "thumbnail": prepared.thumbnail}
    if prepared.display is not None:
        files["display"] = prepared.display
    else:
        names["display"] = ""
    for key, payload in files.items():
        # A file already there under its digest-derived name was left by a transaction that stored it and then
        # rolled back: reuse it when its bytes are right, replace it when a crash cut it short.
        if default_storage.exists(names[key]):
            with default_storage.open(names[key], "rb") as existing:
                if existing.read() == payload:
                    continue
            default_storage.delete(names[key])
        names[key] = default_storage.save(names[key], ContentFile(payload))
    return names


@transaction.atomic
def media_ingest(*, content: bytes, filename: str, kinds: frozenset[str] = ALL_KINDS) -> MediaFile:
    """Validate an upload, strip its metadata, store it once under the SHA-256 of the stored bytes.

    The type is sniffed from the bytes (the extension only has to agree); refusals raise InvalidInput
    (`evidence.type_unknown`, `.type_mismatch`, `.type_unsupported`, `.kind_not_allowed`, `.too_large`,
    `.image_broken`, `.video_broken`, `.pdf_broken`, `.pdf_encrypted`, `.empty`) before anything is written.
    The same file uploaded twice gives the same row.
    """
    prepared = media_prepare(content=content, filename=filename, kinds=kinds)
    existing = MediaFile.objects.filter(sha256=prepared.sha256).first()
    if existing is not None:
        return existing
    names = _store(prepared)
    if prepared.variants:
        photo_variants_store(prepared.variants, prefix=EVIDENCE_VARIANTS, sha256=prepared.sha256)
    try:
        with transaction.atomic():
            return MediaFile.objects.create(
                sha256=prepared.sha256, kind=prepared.kind, mime=prepared.mime, size=len(prepared.content),
                width=prepared.width, height=prepared.height, duration_ms=prepared.duration_ms,
                pages=prepared.pages, original=names["original"], thumbnail=names["thumbnail"],
                display=names["display"], variants=bool(prepared.variants),
            )
    except IntegrityError:  # a concurrent upload of the same file won the insert
        return MediaFile.objects.get(sha256=prepared.sha256)


@dataclass(frozen=True)
class Subject:
    """What a piece of evidence is about, how the ledger names it, and which pages show it."""

    product: Product | None
    batch: Batch | None
    event: TraceEvent | None
    uri: str
    stale_products: tuple[int, ...]
    stale_batches: tuple[int, ...]


def _subject_pages(*, product: Product | None, batch: Batch | None, event: TraceEvent | None) -> Subject:
    """The subject's ledger name and the pages that show it (no permission check)."""
    if product is not None:
        return Subject(product, None, None, product.digital_link.uri(settings.XINREN_RESOLVER), (product.pk,), ())
    if batch is not None:
        return Subject(None, batch, None, batch.digital_link.uri(settings.XINREN_RESOLVER), (), (batch.pk,))
    assert event is not None
    named = EventSubject.objects.filter(event=event, product__isnull=False)
    # Lot pages show the lot's shared events; a product named without a lot is on the product's own page.
    batch_ids = {b for b in named.values_list("batch_id", flat=True) if b is not None}
    product_ids = set(named.filter(batch__isnull=True).values_list("product_id", flat=True))
    return Subject(None, None, event, event.event_id, tuple(sorted(product_ids)), tuple(sorted(batch_ids)))


def _subject(*, actor: Actor, product: Product | None, batch: Batch | None, event: TraceEvent | None) -> Subject:
    if sum(x is not None for x in (product, batch, event)) != 1:
        raise InvalidInput(errors.SUBJECT_REQUIRED, _("请指定证据所属的商品、批次或溯源事件（只能选一个）"))
    trusted = owners_trusting(partner=actor.organization)
    if product is not None or batch is not None:
        # A partner's grant is per product or per lot and has an end date (ADR 0039).
        named = product if product is not None else batch.product  # type: ignore[union-attr]
        if not grant_covers(partner=actor.organization, product=named, batch=batch):
            raise PermissionDenied(
                errors.SUBJECT_FORBIDDEN, grant_refusal(partner=actor.organization, product=named, batch=batch)
            )
        allowed = True
    else:
        assert event is not None
        # Whoever recorded the event, and the owners of the products it names (and their partners).
        allowed = event.organization_id == actor.organization.pk or EventSubject.objects.filter(
            event=event, product__merchant__in=trusted
        ).exists()
    if not allowed:
        raise PermissionDenied(errors.SUBJECT_FORBIDDEN, _("该商品属于其他商家，且对方未授权你为其上传证据"))
    return _subject_pages(product=product, batch=batch, event=event)


def _mark_stale(subject: Subject) -> None:
    # The outbox fans out: a product page queues its lots, a lot page queues its items.
    if subject.stale_products:
        pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=subject.stale_products)
    if subject.stale_batches:
        pages_mark_stale(kind=PageRefresh.Kind.BATCH, object_ids=subject.stale_batches)


def _fields(*, purpose: str, caption: str, taken_at: datetime | None) -> tuple[str, str, datetime | None]:
    if purpose not in Purpose.values:
        raise InvalidInput(errors.PURPOSE_INVALID, _("未知的证据用途"),
                           details={"purpose": str(purpose)[:32], "accepted": list(Purpose.values)})
    caption = " ".join(caption.split())
    if len(caption) > CAPTION_MAX:
        raise InvalidInput(errors.CAPTION_TOO_LONG, _("说明不能超过 %(max)s 个字") % {"max": CAPTION_MAX},
                           details={"max_length": CAPTION_MAX})
    if taken_at is not None and (taken_at.tzinfo is None or taken_at > clock.now() + _CLOCK_SKEW):
        raise InvalidInput(errors.TAKEN_AT_INVALID, _("拍摄时间必须带时区，且不能在未来"))
    return purpose, caption, taken_at


def _statement(*, subject: Subject, media: MediaFile, purpose: str, caption: str,
               taken_at: datetime | None) -> dict[str, object]:
    statement: dict[str, object] = {
        "type": EVIDENCE_MEDIA.name,
        "subject": subject.uri,
        "sha256": media.sha256,
        "mediaType": media.mime,
        "size": media.size,
        "purpose": purpose,
        "caption": caption,
        "time": clock.now().isoformat(),
    }
    if taken_at is not None:
        statement["takenAt"] = taken_at.isoformat()
    return statement


def _vouch(*, actor: Actor, media: MediaFile, subject: Subject, purpose: str, caption: str,
           taken_at: datetime | None) -> Evidence:
    statement = _statement(subject=subject, media=media, purpose=purpose, caption=caption, taken_at=taken_at)
    ref = signing.statement_sign_and_append(organization=actor.organization, statement=statement)
    evidence = Evidence.objects.create(
        organization=actor.organization, added_by=actor.user, media=media, product=subject.product,
        batch=subject.batch, event=subject.event, purpose=purpose, caption=caption, taken_at=taken_at,
        leaf_hash=ref.leaf_hash,
    )
    audit_record(actor=actor.user, organization=actor.organization, action="evidence.attach", target=evidence,
                 data={"sha256": media.sha256, "subject": subject.uri, "purpose": purpose, "leaf_hash": ref.leaf_hash})
    _mark_stale(subject)
    return evidence


@transaction.atomic
def evidence_attach(
    *,
    actor: Actor,
    media: MediaFile,
    product: Product | None = None,
    batch: Batch | None = None,
    event: TraceEvent | None = None,
    purpose: str,
    caption: str = "",
    taken_at: datetime | None = None,
) -> Evidence:
    """Vouch, by a signed `evidence.media` statement, that a stored file shows something about one subject.

    The merchant that owns the product may do it, and so may a partner it granted (supplier, lab, logistics).
    """
    actor.require(role=Role.STAFF, kinds=TRACE_KINDS)
    subject = _subject(actor=actor, product=product, batch=batch, event=event)
    purpose, caption, taken_at = _fields(purpose=purpose, caption=caption, taken_at=taken_at)
    return _vouch(actor=actor, media=media, subject=subject, purpose=purpose, caption=caption, taken_at=taken_at)


def _subject_by_ids(*, product_id: int | None, batch_id: int | None, event_id: int | None
                    ) -> tuple[Product | None, Batch | None, TraceEvent | None]:
    if sum(x is not None for x in (product_id, batch_id, event_id)) != 1:
        raise InvalidInput(errors.SUBJECT_REQUIRED, _("请指定证据所属的商品、批次或溯源事件（只能选一个）"))
    missing = NotFound(errors.SUBJECT_NOT_FOUND, _("找不到证据所属的商品、批次或事件"))
    if product_id is not None:
        product = Product.objects.filter(pk=product_id).first()
        if product is None:
            raise missing
        return product, None, None
    if batch_id is not None:
        batch = Batch.objects.select_related("product").filter(pk=batch_id).first()
        if batch is None:
            raise missing
        return None, batch, None
    event = TraceEvent.objects.filter(pk=event_id or 0, is_error_declaration=False).first()
    if event is None:
        raise missing
    return None, None, event


@transaction.atomic
def evidence_upload(
    *,
    actor: Actor,
    content: bytes,
    filename: str,
    product_id: int | None = None,
    batch_id: int | None = None,
    event_id: int | None = None,
    purpose: str,
    caption: str = "",
    taken_at: datetime | None = None,
) -> Evidence:
    """Check the subject and fields, then ingest the file and vouch for it: what the API and console call.

    Permissions and fields are checked before the file is processed, so a refused upload stores nothing.
    """
    actor.require(role=Role.STAFF, kinds=TRACE_KINDS)
    product, batch, event = _subject_by_ids(product_id=product_id, batch_id=batch_id, event_id=event_id)
    subject = _subject(actor=actor, product=product, batch=batch, event=event)
    purpose, caption, taken_at = _fields(purpose=purpose, caption=caption, taken_at=taken_at)
    media = media_ingest(content=content, filename=filename)
    return _vouch(actor=actor, media=media, subject=subject, purpose=purpose, caption=caption, taken_at=taken_at)


@transaction.atomic
def evidence_withdraw(*, actor: Actor, evidence: Evidence, reason: str) -> Evidence:
    """Withdraw evidence the actor's organization vouched for: a signed statement pointing at the original.

    The file and the row stay (the ledger keeps both statements); the album and labels stop showing it.
    """
    actor.require(role=Role.STAFF, kinds=TRACE_KINDS)
    locked = (
        Evidence.objects.select_for_update(of=("self",))
        .filter(pk=evidence.pk, organization=actor.organization)
        .select_related("media", "product", "batch__product", "event")
        .first()
    )
    if locked is None:
        raise NotFound(errors.NOT_FOUND, _("找不到该证据"))
    transition_check(
        EVIDENCE_TRANSITIONS, locked.status, EvidenceStatus.WITHDRAWN, code=errors.TRANSITION, message=_("该证据已撤回")
    )
    reason = " ".join(reason.split())
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(errors.REASON_REQUIRED, _("请填写撤回原因（不超过 500 字）"),
                           details={"max_length": REASON_MAX})
    subject = _subject_pages(product=locked.product, batch=locked.batch, event=locked.event)
    ref = signing.statement_sign_and_append(
        organization=actor.organization,
        statement={"type": EVIDENCE_WITHDRAWAL.name, "subject": subject.uri, "sha256": locked.media.sha256,
                   "corrects": locked.leaf_hash, "reason": reason},
    )
    locked.status = EvidenceStatus.WITHDRAWN
    locked.withdrawn_at = clock.now()
    locked.withdrawn_reason = reason
    locked.withdrawal_leaf_hash = ref.leaf_hash
    locked.save(update_fields=["status", "withdrawn_at", "withdrawn_reason", "withdrawal_leaf_hash", "updated_at"])
    audit_record(actor=actor.user, organization=actor.organization, action="evidence.withdraw", target=locked,
                 data={"reason": reason, "corrects": locked.leaf_hash, "leaf_hash": ref.leaf_hash})
    _mark_stale(subject)
    return locked
