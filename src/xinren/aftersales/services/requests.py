"""The consumer's side: open a request or claim on a delivered line, cancel it, answer a proposal, escalate a
refusal. Every refusal comes before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.evidence.choices import MediaKind
from xinren.evidence.media.prepare import media_prepare
from xinren.evidence.models import MediaFile
from xinren.evidence.services import media_ingest
from xinren.orders.models import Order, OrderLine

from .. import errors, events
from ..choices import CLAIM_KINDS, OPEN_STATUSES, REQUEST_KINDS, RULE_KINDS, Kind, Level, Status
from ..levels import consumer_level
from ..models import AfterSaleMedia, AfterSaleRequest, AfterSaleUpload
from ..recalls.services import recall_notice_respond
from .autodecide import claim_decide_now, claim_submit
from .eligibility import (
    PHOTOS_MAX,
    UPLOAD_HOURS,
    VIDEOS_MAX,
    amount_check,
    eligibility_check,
    media_limit_check,
    new_reference,
)
from .moves import deadline_schedule, locked, move, payout_finish, record_start

REASON_MAX = 500
ESCALATION_DAYS = 7
REQUEST_MERCHANT_HOURS = 48
MEDIA_KINDS = frozenset({MediaKind.IMAGE, MediaKind.VIDEO})


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= REASON_MAX:
        raise InvalidInput(errors.REASON_REQUIRED, _("请填写原因（不超过 500 字）"), details={"field": "reason"})
    return reason


def media_store(media: Sequence[tuple[str, bytes]]) -> list[MediaFile]:
    """Photos and video through the evidence pipeline (sniffed, stripped, stored once): at most 9 + 1."""
    if len(media) > PHOTOS_MAX + VIDEOS_MAX:
        raise InvalidInput(errors.MEDIA_LIMIT, _("最多上传 9 张照片和 1 段视频"), details={"field": "media"})
    kinds: dict[str, str] = {}
    for filename, content in media:  # every file checked before any is stored: a refusal stores nothing
        try:
            prepared = media_prepare(content=content, filename=filename, kinds=MEDIA_KINDS)
        except InvalidInput as exc:
            raise InvalidInput(exc.code, exc.message, details={**exc.details, "field": "media",
                                                               "filename": filename}) from exc
        kinds[prepared.sha256] = prepared.kind
    media_limit_check(list(kinds.values()))
    files: dict[str, MediaFile] = {}
    for filename, content in media:
        file = media_ingest(content=content, filename=filename, kinds=MEDIA_KINDS)
        files.setdefault(file.sha256, file)
    return list(files.values())


def _line_locked(*, consumer: User, order_number: str, line_id: int) -> OrderLine:
    """The consumer's order and line, locked (Order → OrderLine); another's is not found."""
    order = Order.objects.select_for_update().filter(consumer=consumer, number=order_number).first()
    if order is None:
        raise NotFound(errors.LINE_NOT_FOUND, _("找不到该订单商品"))
    line = OrderLine.objects.select_for_update(of=("self",)).select_related("product", "order__merchant").filter(
        pk=line_id, order=order).first()
    if line is None:
        raise NotFound(errors.LINE_NOT_FOUND, _("找不到该订单商品"))
    return line


def aftersale_open(
    *, consumer: User, order_number: str, line_id: int, kind: str, reason: str, amount_fen: int,
    media: Sequence[tuple[str, bytes]] = (), upload_ids: Sequence[int] = (), recall_id: int | None = None,
) -> AfterSaleRequest:
    """Open a request or claim on one of the consumer's delivered lines, with photos sent along (`media`) or
    uploaded before (`upload_ids`, `aftersale_upload`). A 坏单包赔 claim is decided by the rules at once (in a batch
    with the others waiting, autodecide.py) and, approved, paid out by a task right after; anything else waits for
    the merchant until its deadline."""
    consumer = consumer_require(consumer)
    if kind not in Kind.values:
        raise InvalidInput(errors.KIND_INVALID, _("请选择售后类型"), details={"field": "kind"})
    reason = _reason_clean(reason)
    if not isinstance(amount_fen, int) or amount_fen < 0:
        raise InvalidInput(errors.AMOUNT_INVALID, _("申请金额不能为负数"), details={"field": "amount_fen"})
    if len(media) + len(set(upload_ids)) > PHOTOS_MAX + VIDEOS_MAX:
        raise InvalidInput(errors.MEDIA_LIMIT, _("最多上传 9 张照片和 1 段视频"), details={"field": "media"})
    if kind in RULE_KINDS and not media and recall_id is None:
        # taken in and decided with the claims gathered meanwhile (autodecide.py); one the batch left is this call's
        # to refuse in words below (or to open, where the line changed meanwhile)
        submitted = claim_submit(consumer=consumer, order_number=order_number, line_id=line_id, kind=kind,
                                 reason=reason, amount_fen=amount_fen, upload_ids=upload_ids)
        if submitted is not None:
            return submitted
    files: list[MediaFile] = []
    if media:
        with transaction.atomic():  # refuse before storing any file
            eligibility_check(line=_line_locked(consumer=consumer, order_number=order_number, line_id=line_id),
                               kind=kind, now=clock.now(), recall_id=recall_id)
        files = media_store(media)
    request = _open(consumer=consumer, order_number=order_number, line_id=line_id, kind=kind, reason=reason,
                    amount_fen=amount_fen, files=files, upload_ids=upload_ids, recall_id=recall_id)
    if request.status != Status.DECIDING:
        return request
    return claim_decide_now(request.pk)


def aftersale_upload(*, consumer: User, media: Sequence[tuple[str, bytes]]) -> list[AfterSaleUpload]:
    """Photos or a video for a request the consumer is about to submit, through the evidence pipeline now (sniffed,
    stripped, stored once); the request then names their ids. At most 9 + 1 at a time; all or none."""
    consumer = consumer_require(consumer)
    if not media:
        raise InvalidInput(errors.MEDIA_LIMIT, _("请选择要上传的照片或视频"), details={"field": "media"})
    files = media_store(media)
    now = clock.now()
    with transaction.atomic():
        return AfterSaleUpload.objects.bulk_create([AfterSaleUpload(consumer=consumer, media=file, created_at=now)
                                                    for file in files])


def _uploads_take(*, consumer: User, upload_ids: Sequence[int], now: datetime) -> list[AfterSaleUpload]:
    """The consumer's own unused uploads of the last UPLOAD_HOURS, locked; any other id is refused."""
    wanted = sorted(set(upload_ids))
    if not all(isinstance(pk, int) for pk in wanted):
        raise InvalidInput(errors.UPLOAD_INVALID, _("上传的凭证无效、已过期或已使用，请重新上传"),
                           details={"field": "upload_ids"})
    uploads = list(AfterSaleUpload.objects.select_for_update(of=("self",)).select_related("media").filter(
        pk__in=wanted, consumer=consumer, created_at__gte=now - timedelta(hours=UPLOAD_HOURS),
    ).order_by("pk"))
    if len(uploads) != len(wanted):
        raise InvalidInput(errors.UPLOAD_INVALID, _("上传的凭证无效、已过期或已使用，请重新上传"),
                           details={"field": "upload_ids"})
    return uploads


@transaction.atomic
def _open(*, consumer: User, order_number: str, line_id: int, kind: str, reason: str, amount_fen: int,
          files: list[MediaFile], upload_ids: Sequence[int], recall_id: int | None) -> AfterSaleRequest:
    now = clock.now()
    line = _line_locked(consumer=consumer, order_number=order_number, line_id=line_id)
    refunded = eligibility_check(line=line, kind=kind, now=now, recall_id=recall_id)
    amount_check(line=line, kind=kind, amount_fen=amount_fen, refunded_fen=refunded)
    uploads = _uploads_take(consumer=consumer, upload_ids=upload_ids, now=now) if upload_ids else []
    attached = list({file.sha256: file for file in [*files, *(u.media for u in uploads)]}.values())
    media_limit_check([file.kind for file in attached])
    # the rules decide these at once (autodecide.py), and set the consumer's level with the others of the batch
    by_rules = kind in RULE_KINDS
    status = Status.DECIDING if by_rules else Status.WAITING_PLATFORM if kind in CLAIM_KINDS else Status.REQUESTED
    level = Level.NEW_OR_LOW if by_rules else consumer_level(consumer=consumer, now=now).level
    request = AfterSaleRequest.objects.create(
        reference=new_reference(), consumer=consumer, merchant=line.order.merchant,
        order=line.order, line=line, kind=kind, status=status, reason=reason, amount_fen=amount_fen, level=level,
        recall_id=recall_id, created_at=now, updated_at=now,
    )
    AfterSaleMedia.objects.bulk_create([AfterSaleMedia(request=request, media=file, position=index)
                                        for index, file in enumerate(attached)])
    if uploads:  # used once
        AfterSaleUpload.objects.filter(pk__in=[u.pk for u in uploads]).delete()
    record_start(request, at=now, by_user=consumer)
    if recall_id is not None:  # the buyer answered the recall's notice (its reach figures count it)
        recall_notice_respond(consumer=consumer, recall_id=recall_id, at=now)
    if kind not in CLAIM_KINDS:
        request.merchant_deadline = now + timedelta(hours=REQUEST_MERCHANT_HOURS)
        move(request, Status.MERCHANT_HANDLING, at=now, by_user=consumer)
        request.save()
        deadline_schedule(request)
    events.REQUEST_OPENED.announce(request_id=request.pk)
    # 假一赔N is never decided automatically: it waits for the platform (payers.py)
    return request


@transaction.atomic
def aftersale_cancel(*, consumer: User, reference: str) -> AfterSaleRequest:
    """The consumer withdraws a request still being handled (before any money moved)."""
    consumer = consumer_require(consumer)
    request = locked(consumer=consumer, reference=reference)
    now = clock.now()
    move(request, Status.CANCELLED, at=now, by_user=consumer, note=str(_("买家撤销")))
    request.closed_at = now
    request.merchant_deadline = None
    request.save()
    return request


def aftersale_proposal_answer(*, consumer: User, reference: str, accept: bool) -> AfterSaleRequest:
    """The consumer accepts the merchant's partial amount (it is then agreed) or declines it (back to the merchant)."""
    from .decisions import agreed_apply

    consumer = consumer_require(consumer)
    with transaction.atomic():
        request = locked(consumer=consumer, reference=reference)
        now = clock.now()
        if request.status not in (Status.NEGOTIATING, Status.WAITING_CONSUMER) or request.proposed_fen is None:
            raise Conflict(errors.TRANSITION, _("当前没有待确认的协商方案"))
        if accept:
            agreed_apply(request, amount_fen=request.proposed_fen, at=now, by_user=consumer, rule="proposal_accepted")
        else:
            target = Status.MERCHANT_HANDLING if request.kind in REQUEST_KINDS else Status.WAITING_MERCHANT
            request.merchant_deadline = now + timedelta(hours=REQUEST_MERCHANT_HOURS)
            move(request, target, at=now, by_user=consumer, note=str(_("买家不接受协商方案")))
            request.proposed_fen = None
            deadline_schedule(request)
        request.save()
    return payout_finish(request.pk) if request.refund_id is not None else request


@transaction.atomic
def aftersale_escalate(*, consumer: User, reference: str, reason: str) -> AfterSaleRequest:
    """Ask the platform to step in (纠纷) on a refusal, within 7 days of it; only when no other request is open."""
    consumer = consumer_require(consumer)
    reason = _reason_clean(reason)
    request = locked(consumer=consumer, reference=reference)
    now = clock.now()
    if request.refused_at is None or request.escalated_at is not None or request.status not in (
            Status.REFUSED, Status.NO_PAYOUT):
        raise Conflict(errors.TRANSITION, _("只有被拒绝的申请可以申请平台介入"))
    if now > request.refused_at + timedelta(days=ESCALATION_DAYS):
        raise Conflict(errors.ESCALATION_CLOSED, _("已超过拒绝后 7 天，不能再申请平台介入"))
    if AfterSaleRequest.objects.filter(line_id=request.line_id, status__in=OPEN_STATUSES).exists():
        raise Conflict(errors.OPEN_EXISTS, _("该商品已有进行中的售后申请"), details={"field": "line"})
    move(request, Status.ESCALATED, at=now, by_user=consumer, note=reason)
    request.escalated_at = now
    request.save()
    return request
