"""The consumer's side: open a request or claim on a delivered line, cancel it, answer a proposal, escalate a
refusal. Every refusal comes before anything is written."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.catalog.choices import PERISHABLE_CATEGORIES
from xinren.catalog.shelf_life import local_date
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.evidence.choices import MediaKind
from xinren.evidence.media.prepare import media_prepare
from xinren.evidence.models import MediaFile
from xinren.evidence.services import media_ingest
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Order, OrderLine
from xinren.orders.services.refunds import order_refundable_fen

from .. import errors, events
from ..choices import CLAIM_KINDS, OPEN_STATUSES, REQUEST_KINDS, Kind, Level, Status
from ..levels import consumer_level
from ..models import PER_LINE_MAX, AfterSaleMedia, AfterSaleRequest, AfterSaleUpload, RecallNotice
from ..programmes.rules import promise_value, promises_in_force
from ..recalls.services import recall_notice_respond
from .autodecide import claim_decide_now
from .moves import deadline_schedule, locked, move, payout_finish, record_start

REASON_MAX = 500
# Seven-day no-reason returns: days after the day of delivery (Asia/Shanghai dates), the law's minimum.
NO_REASON_DAYS = 7
# Guarantee claims (damaged, quality, missing, counterfeit, late): days after delivery.
CLAIM_DAYS = 15
ESCALATION_DAYS = 7
REQUEST_MERCHANT_HOURS = 48
PHOTOS_MAX = 9
VIDEOS_MAX = 1
# How long an uploaded photo waits for the request that names it.
UPLOAD_HOURS = 24
MEDIA_KINDS = frozenset({MediaKind.IMAGE, MediaKind.VIDEO})
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= REASON_MAX:
        raise InvalidInput(errors.REASON_REQUIRED, _("请填写原因（不超过 500 字）"), details={"field": "reason"})
    return reason


def window_closes_at(*, kind: str, delivered_at: datetime, return_days: int = NO_REASON_DAYS) -> datetime:
    """When the window for this kind closes: midnight (Beijing time) after the last day, counting from the day
    after delivery (so seven-day returns run from day 1 to day 7 after the day of delivery). A programme's
    `return_days` promise lengthens the no-reason window, never shortens it."""
    days = CLAIM_DAYS if kind in CLAIM_KINDS else max(return_days, NO_REASON_DAYS)
    last = local_date(delivered_at) + timedelta(days=days)
    return datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI)


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
    counted = list(kinds.values())
    if counted.count(MediaKind.IMAGE) > PHOTOS_MAX or counted.count(MediaKind.VIDEO) > VIDEOS_MAX:
        raise InvalidInput(errors.MEDIA_LIMIT, _("最多上传 9 张照片和 1 段视频"), details={"field": "media"})
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


def _eligibility_check(*, line: OrderLine, kind: str, now: datetime, recall_id: int | None) -> int:
    """Refuse a request the line is not open to; what after-sales refunded on the line so far otherwise."""
    order = line.order
    if order.status != OrderStatus.DELIVERED or order.delivered_at is None:
        raise Conflict(errors.NOT_DELIVERED, _("订单签收后才能申请售后"), details={"status": order.status})
    if recall_id is not None and not RecallNotice.objects.filter(
        recall_id=recall_id, consumer_id=order.consumer_id, recall__product_id=line.product_id
    ).exists():  # a recall lifts the window only for the buyers it reached, on the recalled product
        raise NotFound(errors.RECALL_NOT_FOUND, _("找不到该召回"), details={"field": "recall"})
    if recall_id is None:
        return_days = NO_REASON_DAYS
        if kind not in CLAIM_KINDS:  # a programme's promise may lengthen the no-reason window (not the claims')
            promises = promises_in_force(merchant_id=order.merchant_id, category=line.product.category,
                                         at=order.placed_at)  # the programmes' promises when the consumer bought
            return_days = promise_value(promises, "return_days") or NO_REASON_DAYS
        if now >= window_closes_at(kind=kind, delivered_at=order.delivered_at, return_days=return_days):
            raise Conflict(errors.WINDOW_CLOSED, _("已超过可申请售后的期限"), details={"field": "kind"})
        if (kind in REQUEST_KINDS and line.product.category in PERISHABLE_CATEGORIES
                and line.return_exclusion_confirmed_at is not None):
            raise Conflict(errors.EXCLUDED_CATEGORY,
                           _("该商品属于生鲜等不适用七天无理由退货的品类（下单时已确认），如有质量问题请申请保障理赔"),
                           details={"field": "kind"})
    existing = list(AfterSaleRequest.objects.filter(line=line).values_list("status", "refunded_fen"))
    if any(status in OPEN_STATUSES for status, _refunded in existing):
        raise Conflict(errors.OPEN_EXISTS, _("该商品已有进行中的售后申请"), details={"field": "line"})
    if len(existing) >= PER_LINE_MAX:
        raise Conflict(errors.TOO_MANY, _("每件商品最多申请 %(max)s 次售后") % {"max": PER_LINE_MAX},
                       details={"field": "line"})
    return sum(refunded for _status, refunded in existing)


def _amount_check(*, line: OrderLine, kind: str, amount_fen: int, refunded_fen: int) -> None:
    available = min(line.total_fen - refunded_fen, order_refundable_fen(line.order))
    if kind != Kind.EXCHANGE and amount_fen == 0:
        raise InvalidInput(errors.AMOUNT_INVALID, _("申请金额必须大于 0"), details={"field": "amount_fen"})
    if amount_fen > available:
        raise Conflict(errors.AMOUNT_EXCEEDS, _("申请金额超过该商品可退金额（%(yuan)s 元）") % {
            "yuan": f"{max(available, 0) / 100:.2f}"}, details={"field": "amount_fen", "available_fen": available})


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
    files: list[MediaFile] = []
    if media:
        with transaction.atomic():  # refuse before storing any file
            _eligibility_check(line=_line_locked(consumer=consumer, order_number=order_number, line_id=line_id),
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
        pk__in=wanted, consumer=consumer, request__isnull=True, created_at__gte=now - timedelta(hours=UPLOAD_HOURS),
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
    refunded = _eligibility_check(line=line, kind=kind, now=now, recall_id=recall_id)
    _amount_check(line=line, kind=kind, amount_fen=amount_fen, refunded_fen=refunded)
    uploads = _uploads_take(consumer=consumer, upload_ids=upload_ids, now=now) if upload_ids else []
    attached = list({file.sha256: file for file in [*files, *(u.media for u in uploads)]}.values())
    kinds = [file.kind for file in attached]
    if kinds.count(MediaKind.IMAGE) > PHOTOS_MAX or kinds.count(MediaKind.VIDEO) > VIDEOS_MAX:
        raise InvalidInput(errors.MEDIA_LIMIT, _("最多上传 9 张照片和 1 段视频"), details={"field": "media"})
    # the rules decide these at once (autodecide.py), and set the consumer's level with the others of the batch
    by_rules = kind in CLAIM_KINDS and kind != Kind.COUNTERFEIT
    status = Status.DECIDING if by_rules else Status.WAITING_PLATFORM if kind in CLAIM_KINDS else Status.REQUESTED
    level = Level.NEW_OR_LOW if by_rules else consumer_level(consumer=consumer, now=now).level
    request = AfterSaleRequest.objects.create(
        reference=f"AS{secrets.token_hex(8).upper()}", consumer=consumer, merchant=line.order.merchant,
        order=line.order, line=line, kind=kind, status=status, reason=reason, amount_fen=amount_fen, level=level,
        recall_id=recall_id, created_at=now, updated_at=now,
    )
    AfterSaleMedia.objects.bulk_create([AfterSaleMedia(request=request, media=file, position=index)
                                        for index, file in enumerate(attached)])
    if uploads:
        AfterSaleUpload.objects.filter(pk__in=[u.pk for u in uploads]).update(request=request)
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
