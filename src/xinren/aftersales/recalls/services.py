"""Writes of recalls: issue one (checked, signed, items held, pages republished, buyers' notices queued), write
the buyers' notices (the fan-out task calls it), and record that a buyer responded."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.models import User
from xinren.attest import signing
from xinren.catalog.models import Batch, Item
from xinren.catalog.selectors import owners_trusting
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.core.tasks import task_enqueue
from xinren.orders.holds import sale_hold_place

from ..models.recalls import REASON_MAX, Recall, RecallItem, RecallNotice
from . import errors, events, selectors
from .choices import RecallScope, RecallStatus
from .statements import RECALLERS, recall_statement

SERIALS_MAX = 1000
# Control characters other than newline and tab are dropped: they only ever hide or garble text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SERIAL_SPLIT = re.compile(r"[\s,，、;；]+")


def reason_clean(reason: str) -> str:
    reason = _CONTROL.sub("", (reason or "").replace("\r\n", "\n")).strip()
    if not 4 <= len(reason) <= REASON_MAX:
        raise InvalidInput(errors.RECALL_INVALID, _("请写明召回原因（4–%(max)s 字）") % {"max": REASON_MAX},
                           details={"field": "reason"})
    return reason


def serials_parse(text: str) -> list[str]:
    """Serials typed or pasted in one box: separated by spaces, new lines, commas or 、."""
    return [s for s in _SERIAL_SPLIT.split(text or "") if s]


@dataclass(frozen=True)
class Draft:
    """A recall checked and counted, before anything is written: what the confirm screen shows."""

    batch: Batch
    scope: str
    reason: str
    items: list[Item]  # the listed serials; empty for a lot recall
    item_ids: list[int]
    items_sold: int
    buyers: int

    @property
    def items_total(self) -> int:
        return len(self.item_ids)

    @property
    def items_unsold(self) -> int:
        return self.items_total - self.items_sold


def _batch_for(*, actor: Actor, gtin: str, lot: str, lock: bool) -> Batch:
    """The lot the actor may recall: the product's own organization, a lab it granted, or any regulator.
    Another merchant's lot is not found; a lab without the owner's grant is refused."""
    found = Batch.objects.select_related("product", "product__merchant").filter(
        product__gtin=(gtin or "").strip(), lot=(lot or "").strip()
    )
    batch = (found.select_for_update(of=("self",)) if lock else found).first()
    kind = actor.organization.kind
    if batch is None or (kind in CATALOG_KINDS and batch.product.merchant_id != actor.organization.pk):
        raise NotFound(errors.BATCH_NOT_FOUND, _("找不到该批次"))
    if kind == OrganizationKind.LAB and not owners_trusting(partner=actor.organization).filter(
        pk=batch.product.merchant_id
    ).exists():
        raise PermissionDenied(errors.RECALL_NOT_ALLOWED, _("该批次的商家尚未授权本检测机构，不能发起召回"),
                               details={"field": "lot"})
    return batch


def _serial_items(*, batch: Batch, serials: Sequence[str]) -> list[Item]:
    wanted = list(dict.fromkeys(s.strip() for s in serials if s and s.strip()))
    if not wanted:
        raise InvalidInput(errors.RECALL_SERIALS, _("请填写要召回的单品序列号"), details={"field": "serials"})
    if len(wanted) > SERIALS_MAX:
        raise InvalidInput(errors.RECALL_SERIALS, _("一次最多召回 %(max)s 个单品；更多请整批召回")
                           % {"max": SERIALS_MAX}, details={"field": "serials"})
    found = {item.serial: item for item in
             Item.objects.filter(product=batch.product, serial__in=wanted).select_related("batch")}
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise InvalidInput(errors.RECALL_SERIALS,
                           _("找不到这些单品：%(serials)s") % {"serials": "、".join(unknown[:20])},
                           details={"field": "serials", "serials": unknown[:100]})
    other = [s for s in wanted if found[s].batch_id != batch.pk]
    if other:
        raise InvalidInput(
            errors.RECALL_SERIALS,
            _("这些单品不属于批次 %(lot)s：%(serials)s") % {"lot": batch.lot, "serials": "、".join(other[:20])},
            details={"field": "serials", "serials": other[:100]},
        )
    return [found[s] for s in wanted]


def _not_recalled_yet(*, batch: Batch, scope: str, items: list[Item]) -> None:
    open_recalls = Recall.objects.filter(batch=batch, status=RecallStatus.ISSUED)
    if open_recalls.filter(scope=RecallScope.LOT).exists():
        raise Conflict(errors.RECALL_DUPLICATE, _("批次 %(lot)s 已在召回中") % {"lot": batch.lot},
                       details={"field": "lot"})
    if scope == RecallScope.SERIALS:
        taken = sorted(RecallItem.objects.filter(recall__in=open_recalls, item__in=items)
                       .values_list("item__serial", flat=True))
        if taken:
            raise Conflict(errors.RECALL_DUPLICATE,
                           _("这些单品已在召回中：%(serials)s") % {"serials": "、".join(taken[:20])},
                           details={"field": "serials", "serials": taken[:100]})


def recall_prepare(
    *, actor: Actor, gtin: str, lot: str, reason: str, scope: str, serials: Sequence[str] = (), lock: bool = False
) -> Draft:
    """Check a recall and count what it covers, without writing: the confirm screen, and `recall_issue` first."""
    actor.require(role=Role.STAFF, kinds=RECALLERS)
    reason = reason_clean(reason)
    if scope not in RecallScope.values:
        raise InvalidInput(errors.RECALL_INVALID, _("请选择整批召回或指定单品召回"), details={"field": "scope"})
    batch = _batch_for(actor=actor, gtin=gtin, lot=lot, lock=lock)
    items = _serial_items(batch=batch, serials=serials) if scope == RecallScope.SERIALS else []
    _not_recalled_yet(batch=batch, scope=scope, items=items)
    item_ids = [i.pk for i in items] if items else list(batch.items.values_list("pk", flat=True))
    if not item_ids:
        raise InvalidInput(errors.RECALL_INVALID, _("该批次还没有单品，无可召回"), details={"field": "lot"})
    sold = Item.objects.filter(pk__in=item_ids, shipment_items__isnull=False).count()
    buyers = selectors.recall_buyers(product_id=batch.product_id, item_ids=item_ids)
    return Draft(batch=batch, scope=scope, reason=reason, items=items, item_ids=item_ids, items_sold=sold,
                 buyers=len(buyers))


@transaction.atomic
def recall_issue(
    *, actor: Actor, gtin: str, lot: str, reason: str, scope: str, serials: Sequence[str] = ()
) -> Recall:
    """召回: recall a lot, or listed serials of it, with a reason. Signed by the actor's organization; the items
    leave stock and cannot ship; the lot's scan pages are republished with the recall at the top; every buyer's
    notice is queued (tasks.recall_notify). Bad input, a lot not the actor's, or one already recalled changes
    nothing."""
    draft = recall_prepare(actor=actor, gtin=gtin, lot=lot, reason=reason, scope=scope, serials=serials, lock=True)
    batch = draft.batch
    now = clock.now()
    try:
        with transaction.atomic():
            recall = Recall.objects.create(
                organization=actor.organization, product=batch.product, batch=batch, scope=draft.scope,
                reason=draft.reason, issued_at=now, issued_by=actor.user, items_total=draft.items_total,
                items_sold=draft.items_sold, buyers_total=draft.buyers,
            )
    except IntegrityError as exc:  # the same lot was recalled whole a moment ago
        raise Conflict(errors.RECALL_DUPLICATE, _("批次 %(lot)s 已在召回中") % {"lot": batch.lot},
                       details={"field": "lot"}) from exc
    RecallItem.objects.bulk_create([RecallItem(recall=recall, item=item) for item in draft.items])
    ref = signing.statement_sign_and_append(
        organization=actor.organization,
        statement=recall_statement(recall=recall, serials=[item.serial for item in draft.items]),
    )
    recall.ledger_leaf_hash = ref.leaf_hash
    recall.save(update_fields=["ledger_leaf_hash"])
    text = str(_("召回：%(reason)s") % {"reason": draft.reason})[:200]
    if draft.scope == RecallScope.LOT:
        sale_hold_place(reference=recall.reference, reason=text, batch=batch)
    else:
        sale_hold_place(reference=recall.reference, reason=text, items=draft.items)
    pages_mark_stale(kind=PageRefresh.Kind.BATCH, object_ids=[batch.pk])
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT_PAGE, object_ids=[batch.product_id])
    from .tasks import recall_notify  # tasks import this module

    task_enqueue(recall_notify, recall_id=recall.pk)
    audit_record(
        actor=actor.user, organization=actor.organization, action="recall.issue", target=recall,
        data={"gtin": batch.product.gtin, "lot": batch.lot, "scope": draft.scope, "items": draft.items_total,
              "sold": draft.items_sold, "buyers": draft.buyers, "leaf_hash": ref.leaf_hash},
    )
    return recall


@transaction.atomic
def recall_notices_write(*, recall_id: int) -> list[RecallNotice]:
    """Write the notice of every buyer the recall reaches who has none yet, and announce each new one (the
    notifications context tells the buyer). Running it again writes and announces nothing new."""
    recall = Recall.objects.select_for_update().filter(pk=recall_id).first()
    if recall is None:
        return []
    buyers = selectors.recall_buyers(product_id=recall.product_id, item_ids=selectors.recall_item_ids(recall))
    reached = set(RecallNotice.objects.filter(recall=recall).values_list("consumer_id", flat=True))
    now = clock.now()
    created = RecallNotice.objects.bulk_create([
        RecallNotice(recall=recall, consumer_id=b.consumer_id, order_id=b.order_id, line_id=b.line_id,
                     stage=b.stage, units=b.units, reached_at=now)
        for b in buyers if b.consumer_id not in reached
    ])
    created = list(RecallNotice.objects.filter(recall=recall, consumer_id__in=[n.consumer_id for n in created])
                   .order_by("id"))
    for notice in created:
        events.RECALL_BUYER_REACHED.announce(notice_id=notice.pk)
    if recall.notified_at is None:
        recall.notified_at = now
        recall.save(update_fields=["notified_at"])
    return created


@transaction.atomic
def recall_notice_respond(*, consumer: User, recall_id: int, at: datetime | None = None) -> RecallNotice:
    """Record that a buyer answered a recall (opened the after-sale request its notice links to). The first
    answer counts; the after-sale request form calls this when it carries `recall=<id>`."""
    notice = RecallNotice.objects.select_for_update().filter(recall_id=recall_id, consumer=consumer).first()
    if notice is None:
        raise NotFound(errors.RECALL_NOT_FOUND, _("找不到该召回"))
    if notice.responded_at is None:
        notice.responded_at = at or clock.now()
        notice.save(update_fields=["responded_at"])
    return notice
