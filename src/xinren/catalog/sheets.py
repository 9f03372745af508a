"""Label sheet jobs: a sheet asked for in the console or the API is drawn by a background task, then downloaded.

A whole lot of 5,000 items is 209 pages and several seconds of drawing even now (bench/catalog/RESULTS.md), and
production's gunicorn kills a request after 30 s, so nothing larger than `SYNC_MAX_PAGES` pages is drawn inside a
request: `label_sheet_request` records a `LabelSheet` and queues `label_sheet_build_task` in the same transaction
(ADR 0013); the task draws the pages, reporting "n/N pages" as it goes, and writes the file to the default storage
(the local media folder, or object storage in production); the console and the API hand it out to the lot's
merchant only (`label_sheet_open`). Files are kept `RETENTION` and then deleted by the periodic sweep, which also
queues again a job whose task was lost (docs/labels.md, docs/adr/0037-label-sheets-in-the-background.md).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.core.origin import public_origin
from xinren.core.tasks import task_enqueue
from xinren.core.transitions import transition_check

from . import errors, labels
from .choices import LABEL_SHEET_TRANSITIONS, LabelSheetFormat, LabelSheetStatus
from .models import Batch, LabelSheet

logger = logging.getLogger(__name__)

# At most this many pages (240 labels, ~0.1 s) are drawn inside a request; more go through a sheet job.
SYNC_MAX_PAGES = 10
# Jobs queued or running at once per organization: one person cannot fill the worker's queue.
MAX_OPEN_SHEETS = 5
# How long a finished file is kept in storage.
RETENTION = timedelta(days=7)
# A job queued or running this long without progress lost its task (a broker down, a worker killed): queued again.
STALE_AFTER = timedelta(minutes=15)
# Progress is written at most this often (every page of a 209-page sheet would be 209 small transactions).
PROGRESS_EVERY_PAGES = 5
CONTENT_TYPES: dict[str, str] = {
    LabelSheetFormat.PDF: "application/pdf",
    LabelSheetFormat.SVG: "image/svg+xml; charset=utf-8",
}
OPEN = (LabelSheetStatus.REQUESTED, LabelSheetStatus.RUNNING)


def label_sheet_list(*, actor: Actor, batch_id: int) -> QuerySet[LabelSheet]:
    """The label sheets of one of the actor's lots, newest first."""
    return LabelSheet.objects.filter(batch_id=batch_id, batch__product__merchant=actor.organization).select_related(
        "requested_by"
    )


def label_sheet_get(*, actor: Actor, sheet_id: int) -> LabelSheet:
    sheet = (
        LabelSheet.objects.filter(pk=sheet_id, batch__product__merchant=actor.organization)
        .select_related("batch__product")
        .first()
    )
    if sheet is None:
        raise NotFound(errors.LABEL_SHEET_NOT_FOUND, _("找不到该标签文件"))
    return sheet


def label_sheet_filename(sheet: LabelSheet) -> str:
    """The name a downloaded sheet is saved under: GTIN, lot (made safe for file systems) and the page range."""
    return labels.label_filename(
        batch=sheet.batch, extension=sheet.format, first_page=sheet.first_page, last_page=sheet.last_page,
        pages=labels.sheet_page_count(sheet.item_count),
    )


def label_sheet_open(*, actor: Actor, sheet_id: int) -> tuple[LabelSheet, IO[bytes]]:
    """A finished sheet and its file, opened from storage, for one of the actor's lots."""
    sheet = label_sheet_get(actor=actor, sheet_id=sheet_id)
    if sheet.status != LabelSheetStatus.DONE:
        raise Conflict(
            errors.LABEL_SHEET_NOT_READY,
            _("标签文件尚未生成完成（%(status)s）") % {"status": sheet.get_status_display()},
            details={"status": sheet.status, "pages_done": sheet.pages_done, "pages": sheet.page_count},
        )
    return sheet, default_storage.open(sheet.file_name, "rb")


@transaction.atomic
def label_sheet_request(
    *, actor: Actor, batch_id: int, fmt: str, first_page: int | None = None, last_page: int | None = None
) -> LabelSheet:
    """Ask for a lot's labels (all pages, or `first_page`..`last_page`) as a file drawn in the background.

    The same sheet still queued, running or done (same lot, format, pages and items) is returned instead of a
    second one. Anyone in the merchant's console may print labels, viewers included, as before.
    """
    actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
    if fmt not in LabelSheetFormat.values:
        raise InvalidInput(errors.LABELS_FORMAT, _("标签格式无效：只能是 PDF 或 SVG"), details={"format": fmt})
    # The lot's row lock makes two identical requests at once give one job.
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(product__merchant=actor.organization, pk=batch_id)
        .first()
    )
    if batch is None:
        raise NotFound(errors.BATCH_NOT_FOUND, _("找不到该批次"))
    plan = labels.sheet_plan(batch=batch, first_page=first_page, last_page=last_page)
    same = LabelSheet.objects.filter(
        batch=batch, format=fmt, first_page=plan.first_page, last_page=plan.last_page, item_count=plan.item_count,
        status__in=(*OPEN, LabelSheetStatus.DONE),
    ).first()
    if same is not None:
        return same
    open_sheets = LabelSheet.objects.filter(batch__product__merchant=actor.organization, status__in=OPEN).count()
    if open_sheets >= MAX_OPEN_SHEETS:
        raise Conflict(
            errors.LABEL_SHEETS_BUSY,
            _("已有 %(count)d 个标签文件在排队或生成中，请等它们完成后再提交") % {"count": open_sheets},
            details={"open": open_sheets, "max": MAX_OPEN_SHEETS},
        )
    sheet = LabelSheet.objects.create(
        batch=batch, requested_by=actor.user, format=fmt, item_count=plan.item_count,
        first_page=plan.first_page, last_page=plan.last_page,
    )
    audit_record(
        actor=actor.user, organization=actor.organization, action="labels.request", target=sheet,
        data={"batch": batch.pk, "format": fmt, "first_page": plan.first_page, "last_page": plan.last_page},
    )
    _enqueue(sheet)
    return sheet


def label_sheet_draw(
    *, actor: Actor, batch_id: int, fmt: str, first_page: int | None = None, last_page: int | None = None
) -> tuple[str, str, bytes]:
    """A small sheet (at most SYNC_MAX_PAGES pages) drawn at once: its file name, content type and bytes.

    Larger ones are refused with the way to ask for them (`label_sheet_request`): they would hold the request.
    """
    actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
    if fmt not in LabelSheetFormat.values:
        raise InvalidInput(errors.LABELS_FORMAT, _("标签格式无效：只能是 PDF 或 SVG"), details={"format": fmt})
    batch = Batch.objects.select_related("product").filter(product__merchant=actor.organization, pk=batch_id).first()
    if batch is None:
        raise NotFound(errors.BATCH_NOT_FOUND, _("找不到该批次"))
    plan = labels.sheet_plan(batch=batch, first_page=first_page, last_page=last_page)
    if plan.page_count > SYNC_MAX_PAGES:
        raise InvalidInput(
            errors.LABELS_TOO_MANY_PAGES,
            _("一次最多直接下载 %(max)d 页标签；这次要 %(count)d 页，请提交“生成标签文件”，在后台生成后下载")
            % {"max": SYNC_MAX_PAGES, "count": plan.page_count},
            details={"pages": plan.page_count, "max": SYNC_MAX_PAGES},
        )
    resolver = public_origin()
    content: bytes
    if fmt == LabelSheetFormat.PDF:
        content = labels.label_sheet_pdf(plan=plan, resolver=resolver)
    else:
        content = labels.label_sheet_svg(plan=plan, resolver=resolver).encode()
    name = labels.label_filename(batch=batch, extension=fmt, first_page=plan.first_page, last_page=plan.last_page,
                                 pages=plan.pages)
    return name, CONTENT_TYPES[LabelSheetFormat(fmt)], content


def _enqueue(sheet: LabelSheet) -> None:
    from .tasks import label_sheet_build_task  # tasks.py wraps these services

    task_enqueue(label_sheet_build_task, sheet_id=sheet.pk)


def _move(sheet_id: int, target: LabelSheetStatus, **fields: object) -> LabelSheet | None:
    """Move a sheet to `target` under its row lock (one short transaction); None when it is gone."""
    with transaction.atomic():
        sheet = LabelSheet.objects.select_for_update().filter(pk=sheet_id).first()
        if sheet is None:
            return None
        transition_check(LABEL_SHEET_TRANSITIONS, sheet.status, target, code=errors.LABEL_SHEET_TRANSITION,
                         labels=LabelSheetStatus)
        sheet.status = target
        for field, value in fields.items():
            setattr(sheet, field, value)
        sheet.save(update_fields=["status", *fields, "updated_at"])
        return sheet


def label_sheet_build(*, sheet_id: int) -> str:
    """Draw a queued sheet into storage, recording its progress; the status it ends in.

    Idempotent: a sheet already done (or expired) is left alone; one left running by a dead worker starts again.
    A refusal from the drawing (the range no longer fits the lot) fails the job with its reason; any other error
    fails it too and is raised again, so the task's retry starts it afresh.
    """
    current = LabelSheet.objects.filter(pk=sheet_id).values_list("status", flat=True).first()
    if current is None or current in (LabelSheetStatus.DONE, LabelSheetStatus.EXPIRED):
        return current or "missing"
    sheet = _move(sheet_id, LabelSheetStatus.RUNNING, pages_done=0, started_at=clock.now(), error_code="",
                  error_message="")
    assert sheet is not None
    batch = Batch.objects.select_related("product").get(pk=sheet.batch_id)
    resolver = public_origin()

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY_PAGES == 0 and done < total:
            LabelSheet.objects.filter(pk=sheet_id, status=LabelSheetStatus.RUNNING).update(
                pages_done=done, updated_at=clock.now()
            )

    try:
        plan = labels.sheet_plan(batch=batch, first_page=sheet.first_page, last_page=sheet.last_page,
                                 item_count=sheet.item_count)
        if sheet.format == LabelSheetFormat.PDF:
            content = labels.label_sheet_pdf(plan=plan, resolver=resolver, progress=progress)
        else:
            content = labels.label_sheet_svg(plan=plan, resolver=resolver, progress=progress).encode()
        name = default_storage.save(
            f"labels/{sheet.batch_id}/{sheet.pk}-{secrets.token_hex(16)}.{sheet.format}", ContentFile(content)
        )
    except DomainError as exc:
        _move(sheet_id, LabelSheetStatus.FAILED, error_code=exc.code, error_message=str(exc.message)[:255],
              finished_at=clock.now())
        return LabelSheetStatus.FAILED
    except Exception:
        _move(sheet_id, LabelSheetStatus.FAILED, error_code="labels.internal",
              error_message=str(_("生成时出错（已记录），系统会自动重试；几分钟后仍显示失败时请重新提交")),
              finished_at=clock.now())
        raise
    _move(sheet_id, LabelSheetStatus.DONE, pages_done=sheet.page_count, file_name=name, size=len(content),
          sha256=hashlib.sha256(content).hexdigest(), finished_at=clock.now())
    return LabelSheetStatus.DONE


def label_sheets_sweep() -> dict[str, int]:
    """Periodic: delete the files of sheets finished more than RETENTION ago, queue again jobs whose task was lost."""
    now = clock.now()
    expired = 0
    for sheet in LabelSheet.objects.filter(status=LabelSheetStatus.DONE, finished_at__lt=now - RETENTION):
        default_storage.delete(sheet.file_name)
        _move(sheet.pk, LabelSheetStatus.EXPIRED, file_name="")
        expired += 1
    requeued = 0
    for sheet in LabelSheet.objects.filter(status__in=OPEN, updated_at__lt=now - STALE_AFTER):
        with transaction.atomic():
            LabelSheet.objects.filter(pk=sheet.pk).update(updated_at=now)
            _enqueue(sheet)
        requeued += 1
    if expired or requeued:
        logger.info("label sheets: %d files deleted, %d jobs queued again", expired, requeued)
    return {"expired": expired, "requeued": requeued}
