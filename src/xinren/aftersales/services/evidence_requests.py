"""Waiting for evidence (待补充凭证): on a claim in its turn, the merchant or an operator asks the consumer for more
photos or video with a note; the claim waits (WAITING_EVIDENCE) until the consumer adds files through the evidence
pipeline, then goes back to whoever asked (the merchant with a fresh deadline, or the platform). Past the deadline
with no answer, the rule `evidence_timeout` closes the claim, signed by the platform like the silence rule.

Lock order: Order → OrderLine → AfterSaleRequest → EvidenceRequest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput
from xinren.core.tasks import task_enqueue

from .. import errors
from ..choices import CLAIM_KINDS, DecidedBy, EvidenceAsker, EvidenceRequestStatus, Outcome, Status
from ..models import AfterSaleMedia, AfterSaleRequest, EvidenceRequest
from ..restricted_deadlines import claim_merchant_window
from ..rules import BAD_ORDER
from .moves import deadline_schedule, decide, locked, move
from .requests import media_store

EVIDENCE_HOURS = 72
NOTE_MAX = 500
EVIDENCE_RULE = "evidence_timeout"
EVIDENCE_RULE_VERSION = "2026.12-1"
# Whose turn it must be for each asker: the merchant on a claim routed to it; an operator on an escalated claim.
ASKER_TURN = {EvidenceAsker.MERCHANT: Status.WAITING_MERCHANT, EvidenceAsker.OPERATOR: Status.ESCALATED}


def _note_clean(note: str) -> str:
    note = (note or "").strip()
    if not 1 <= len(note) <= NOTE_MAX:
        raise InvalidInput(errors.EVIDENCE_NOTE_REQUIRED, _("请填写说明（不超过 500 字）"), details={"field": "note"})
    return note


def evidence_deadline_schedule(evidence: EvidenceRequest) -> None:
    """Queue the deadline check (the periodic sweep backs it up)."""
    from ..tasks import aftersale_evidence_deadline_task

    task_enqueue(aftersale_evidence_deadline_task.using(run_after=evidence.deadline), evidence_request_id=evidence.pk)


def evidence_ask(*, actor: Actor, reference: str, note: str) -> EvidenceRequest:
    """Ask the consumer for more photos or video on a claim in the asker's turn: the claim waits 72 hours."""
    actor.require(role=Role.STAFF, kinds=[*CATALOG_KINDS, OrganizationKind.PLATFORM])
    note = _note_clean(note)
    is_operator = actor.organization.kind == OrganizationKind.PLATFORM
    asker = EvidenceAsker.OPERATOR if is_operator else EvidenceAsker.MERCHANT
    with transaction.atomic():
        request = locked(reference=reference) if is_operator else locked(merchant=actor.organization,
                                                                         reference=reference)
        if request.kind not in CLAIM_KINDS or request.status != ASKER_TURN[asker]:
            raise Conflict(errors.TRANSITION, _("只能对轮到你处理的保障理赔要求补充凭证"),
                           details={"status": request.status})
        now = clock.now()
        evidence = EvidenceRequest.objects.create(
            request=request, asked_by=asker, organization=actor.organization, by_user=actor.user, note=note,
            return_status=request.status, asked_at=now, deadline=now + timedelta(hours=EVIDENCE_HOURS),
        )
        move(request, Status.WAITING_EVIDENCE, at=now, by_user=actor.user, by_organization=actor.organization,
             note=note)
        request.merchant_deadline = None
        request.save()
        evidence_deadline_schedule(evidence)
    return evidence


def _open_evidence_request(request: AfterSaleRequest) -> EvidenceRequest:
    evidence = EvidenceRequest.objects.select_for_update().filter(
        request=request, status=EvidenceRequestStatus.OPEN).first()
    if request.status != Status.WAITING_EVIDENCE or evidence is None:
        raise Conflict(errors.TRANSITION, _("当前不需要补充凭证"), details={"status": request.status})
    return evidence


def evidence_answer(*, consumer: User, reference: str, note: str, media: Sequence[tuple[str, bytes]]
                    ) -> AfterSaleRequest:
    """The consumer adds photos or video (at most 9 + 1) with a note; the claim goes back to whoever asked."""
    consumer = consumer_require(consumer)
    note = _note_clean(note)
    if not media:
        raise InvalidInput(errors.EVIDENCE_MEDIA_REQUIRED, _("请至少上传 1 张照片或 1 段视频"),
                           details={"field": "media"})
    with transaction.atomic():  # refuse before storing any file
        _open_evidence_request(locked(consumer=consumer, reference=reference))
    files = media_store(media)
    with transaction.atomic():
        request = locked(consumer=consumer, reference=reference)
        evidence = _open_evidence_request(request)
        now = clock.now()
        attached = set(AfterSaleMedia.objects.filter(request=request).values_list("media_id", flat=True))
        start = (AfterSaleMedia.objects.filter(request=request).aggregate(last=Max("position"))["last"] or 0) + 1
        new = [file for file in files if file.pk not in attached]
        AfterSaleMedia.objects.bulk_create([AfterSaleMedia(request=request, media=file, position=start + index)
                                            for index, file in enumerate(new)])
        evidence.status, evidence.answer_note, evidence.answered_at = EvidenceRequestStatus.ANSWERED, note, now
        evidence.answer_files, evidence.closed_at = len(files), now
        evidence.save()
        target = evidence.return_status
        move(request, target, at=now, by_user=consumer, note=note)
        if target == Status.WAITING_MERCHANT:
            request.merchant_deadline = now + claim_merchant_window(
                merchant=request.merchant, normal=BAD_ORDER.merchant_deadline, at=now)
            deadline_schedule(request)
        request.save()
    return request


def evidence_deadline_pass(*, evidence_request_id: int, now: datetime | None = None) -> bool:
    """Past the deadline with no answer: the claim closes under the recorded rule. False when nothing was due."""
    request_id = EvidenceRequest.objects.filter(pk=evidence_request_id).values_list("request_id", flat=True).first()
    if request_id is None:
        return False
    with transaction.atomic():
        request = locked(pk=request_id)
        evidence = EvidenceRequest.objects.select_for_update().get(pk=evidence_request_id)
        now = now or clock.now()
        if evidence.status != EvidenceRequestStatus.OPEN:
            return False
        if request.status != Status.WAITING_EVIDENCE:  # the consumer withdrew the claim meanwhile
            evidence.status, evidence.closed_at = EvidenceRequestStatus.WITHDRAWN, now
            evidence.save(update_fields=["status", "closed_at"])
            return False
        if evidence.deadline > now:
            return False
        reason = str(_("逾期未补充凭证，按规则关闭"))
        decide(request, decided_by=DecidedBy.TIMEOUT, organization=None, outcome=Outcome.REFUSE, amount_fen=0,
               reason=reason, at=now, rule_id=EVIDENCE_RULE, rule_version=EVIDENCE_RULE_VERSION)
        move(request, Status.CANCELLED, at=now, rule=f"{EVIDENCE_RULE}@{EVIDENCE_RULE_VERSION}", note=reason)
        request.closed_at = now
        request.save()
        evidence.status, evidence.closed_at = EvidenceRequestStatus.EXPIRED, now
        evidence.save(update_fields=["status", "closed_at"])
    return True


def evidence_sweep(*, now: datetime) -> int:
    """Periodic: evidence requests past their deadline (or left behind by a withdrawn claim)."""
    due = EvidenceRequest.objects.filter(status=EvidenceRequestStatus.OPEN).exclude(
        deadline__gt=now, request__status=Status.WAITING_EVIDENCE)
    return sum(int(evidence_deadline_pass(evidence_request_id=pk, now=now))
               for pk in due.values_list("pk", flat=True))
