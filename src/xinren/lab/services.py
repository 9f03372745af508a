"""Writes for lab reports: issued through the platform (custodial signature) or signed by the lab itself."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.attest import keys, signing
from xinren.catalog import errors as catalog_errors
from xinren.catalog.grants import grant_covers, grant_refusal
from xinren.catalog.models import Batch, PartnerGrant
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.evidence.models import MediaFile
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.errors import LedgerError

from . import errors, plausible
from .events import REPORT_RECORDED
from .models import LabMeasurement, LabReport
from .originals import PdfUpload, pdf_resolve, pdf_stored
from .statements import LAB_REPORT, NOT_DETECTED, PDF_MEDIA_TYPE
from .thresholds import CURRENT_VERSION, TABLES, limits_for, unit_canonical

MAX_VALUE = Decimal("1e6")
MAX_DECIMAL_PLACES = 6
# CMA (检验检测机构资质认定) certificates carry a 12-digit number; CNAS lab accreditations are "L" + 4–5 digits.
_CMA = re.compile(r"^CMA\s*[:：]?\s*(\d{12})$", re.IGNORECASE)
_CNAS = re.compile(r"^CNAS\s*[:：]?\s*(L\d{4,5})$", re.IGNORECASE)


@dataclass(frozen=True)
class Measured:
    """A validated measurement: value None means not detected."""

    indicator: str
    value: Decimal | None
    unit: str
    lod: Decimal | None

    def as_statement(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "indicator": self.indicator,
            "value": NOT_DETECTED if self.value is None else _text(self.value),
            "unit": self.unit,
        }
        if self.lod is not None:
            entry["lod"] = _text(self.lod)
        return entry


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def accreditation_normalize(value: str) -> str:
    """"CMA 171512345678" or "CNAS L1234" in canonical spelling; refuses anything else."""
    text = value.strip()
    if match := _CMA.fullmatch(text):
        return f"CMA {match.group(1)}"
    if match := _CNAS.fullmatch(text):
        return f"CNAS {match.group(1).upper()}"
    raise InvalidInput(
        errors.ACCREDITATION_INVALID,
        _("资质编号格式错误：应为 CMA 加 12 位数字，或 CNAS 加 L 和 4–5 位数字"),
        details={"accreditation": value[:64]},
    )


def _number(raw: Any, *, position: int, field: str) -> Decimal:
    invalid = InvalidInput(
        errors.VALUE_INVALID,
        _("检测值无效：必须是 0 到 1000000 之间的数，最多 6 位小数"),
        details={"position": position, "field": field, "value": str(raw)[:32]},
    )
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise invalid
    if isinstance(raw, float) and not math.isfinite(raw):
        raise invalid
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise invalid from None
    if not number.is_finite() or number < 0 or number > MAX_VALUE:
        raise invalid
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise invalid
    return number


def measurements_validate(*, category: str, version: str, measurements: Sequence[Mapping[str, Any]]) -> list[Measured]:
    """Check every measurement against the category's table: known indicator, its exact unit, a possible value."""
    limits = limits_for(category=category, version=version)
    if not limits:
        raise InvalidInput(
            errors.CATEGORY_UNSUPPORTED, _("该品类暂无检测限值表，不能出具检测报告"), details={"category": category}
        )
    if not measurements:
        raise InvalidInput(errors.MEASUREMENTS_REQUIRED, _("请至少提交一个检测项目"))
    out: list[Measured] = []
    seen: set[str] = set()
    for position, entry in enumerate(measurements):
        if not isinstance(entry, Mapping):
            raise InvalidInput(errors.FIELD_INVALID, _("检测项目格式错误"), details={"position": position})
        indicator = str(entry.get("indicator", ""))
        limit = limits.get(indicator)
        if limit is None:
            raise InvalidInput(
                errors.INDICATOR_UNKNOWN,
                _("该品类的限值表中没有这个检测指标"),
                details={"position": position, "indicator": indicator[:64], "known": sorted(limits)},
            )
        if indicator in seen:
            raise InvalidInput(
                errors.INDICATOR_DUPLICATE, _("同一指标只能出现一次"), details={"position": position,
                                                                          "indicator": indicator}
            )
        seen.add(indicator)
        unit = unit_canonical(str(entry.get("unit", "")))
        if unit != limit.unit:
            raise InvalidInput(
                errors.UNIT_MISMATCH,
                _("单位与限值表不一致；平台不做单位换算，请按限值表的单位提交"),
                details={"position": position, "indicator": indicator, "unit": str(entry.get("unit", ""))[:16],
                         "expected": limit.unit},
            )
        raw = entry.get("value")
        value = None if raw == NOT_DETECTED else _number(raw, position=position, field="value")
        lod = None if entry.get("lod") in (None, "") else _number(entry["lod"], position=position, field="lod")
        if unit == "%" and value is not None and value > 100:
            raise InvalidInput(
                errors.VALUE_INVALID, _("百分比不能超过 100"), details={"position": position, "field": "value",
                                                                    "value": str(raw)[:32]}
            )
        if value is None and lod is not None and limit.limit > 0 and lod > limit.limit:
            # "Not detected" by a method that cannot see the limit says nothing about compliance.
            raise InvalidInput(
                errors.LOD_ABOVE_LIMIT,
                _("检出限高于限值，“未检出”不能说明是否合格"),
                details={"position": position, "indicator": indicator, "lod": _text(lod),
                         "limit": _text(limit.limit)},
            )
        out.append(Measured(indicator=indicator, value=value, unit=limit.unit, lod=lod))
    return out


def _batch_for_lab(*, actor: Actor, batch: Batch | None) -> Batch:
    if batch is None:
        raise NotFound(catalog_errors.BATCH_NOT_FOUND, _("找不到该批次"))
    if not grant_covers(partner=actor.organization, product=batch.product, batch=batch):
        ever = PartnerGrant.objects.filter(owner_id=batch.product.merchant_id, partner=actor.organization).exists()
        reason = (
            grant_refusal(partner=actor.organization, product=batch.product, batch=batch)
            if ever
            else _("该批次的商家尚未授权本检测机构")
        )
        raise PermissionDenied(errors.BATCH_NOT_GRANTED, reason, details={"batch_id": batch.pk})
    return batch


def _sampled_at(value: datetime | str, *, field: str = "sampled_at") -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else value
    if parsed is None or parsed.tzinfo is None:
        raise InvalidInput(errors.FIELD_INVALID, _("抽样时间必须是带时区的时间"), details={"field": field})
    return parsed


@dataclass(frozen=True)
class Draft:
    """A validated report, before it is signed and stored."""

    batch: Batch
    report_id: uuid.UUID
    accreditation: str
    sample_id: str
    sampled_at: datetime
    sampled_place: str
    method: str
    version: str
    measured: list[Measured]
    pdf: MediaFile | None


def _statement(*, actor: Actor, draft: Draft) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "type": LAB_REPORT.name,
        "subject": draft.batch.digital_link.uri(settings.XINREN_RESOLVER),
        "report_id": str(draft.report_id),
        "lab": keys.owner_of(actor.organization),
        "accreditation": draft.accreditation,
        "gtin": draft.batch.product.gtin,
        "lot": draft.batch.lot,
        "sample_id": draft.sample_id,
        "sampled_at": draft.sampled_at.isoformat(),
        "method": draft.method,
        "table_version": draft.version,
        "measurements": [m.as_statement() for m in draft.measured],
    }
    if draft.sampled_place:
        statement["sampled_place"] = draft.sampled_place
    if draft.pdf is not None:
        statement["pdf"] = {"sha256": draft.pdf.sha256, "mediaType": PDF_MEDIA_TYPE, "size": draft.pdf.size}
    return statement


def _store(*, actor: Actor, draft: Draft, leaf_hash: str, self_signed: bool) -> LabReport:
    try:
        with transaction.atomic():
            report = LabReport.objects.create(
                report_id=draft.report_id, lab=actor.organization, batch=draft.batch,
                accreditation=draft.accreditation, sample_id=draft.sample_id, sampled_at=draft.sampled_at,
                sampled_place=draft.sampled_place, pdf=draft.pdf, method=draft.method, table_version=draft.version,
                category=draft.batch.product.category,
                issued_by=actor.user, self_signed=self_signed,
                ledger_leaf_hash=leaf_hash,
            )
    except IntegrityError as exc:
        raise Conflict(errors.SAMPLE_ID_TAKEN, _("该样品编号或报告编号已被使用"),
                       details={"sample_id": draft.sample_id}) from exc
    LabMeasurement.objects.bulk_create(
        [
            LabMeasurement(report=report, position=position, indicator=m.indicator, value=m.value,
                           not_detected=m.value is None, unit=m.unit, lod=m.lod)
            for position, m in enumerate(draft.measured)
        ]
    )
    pages_mark_stale(kind=PageRefresh.Kind.BATCH, object_ids=[draft.batch.pk])
    REPORT_RECORDED.announce(report_id=report.pk)
    audit_record(actor=actor.user, organization=actor.organization, action="lab_report.issue", target=report,
                 data={"batch_id": draft.batch.pk, "sample_id": draft.sample_id, "leaf_hash": leaf_hash,
                       "self_signed": self_signed, "pdf_sha256": draft.pdf.sha256 if draft.pdf else None})
    return report


def _text_field(value: Any, *, field: str, max_length: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > max_length:
        raise InvalidInput(errors.FIELD_INVALID, _("必填字段为空或过长"),
                           details={"field": field, "max_length": max_length})
    return text


def _optional_text(value: Any, *, field: str, max_length: int) -> str:
    if value is None:
        return ""
    text = " ".join(value.split()) if isinstance(value, str) else None
    if text is None or len(text) > max_length:
        raise InvalidInput(errors.FIELD_INVALID, _("字段格式错误或过长"), details={"field": field,
                                                                          "max_length": max_length})
    return text


@transaction.atomic
def lab_report_issue(
    *,
    actor: Actor,
    batch_id: int,
    accreditation: str,
    sample_id: str,
    sampled_at: datetime,
    method: str,
    measurements: Sequence[Mapping[str, Any]],
    sampled_place: str = "",
    pdf: str | PdfUpload | None = None,
) -> LabReport:
    """Issue a lab report on a batch whose merchant granted this lab; signed with the lab's custodial key.

    `pdf` is the lab's own report document: the bytes uploaded with the report, or the SHA-256 of one uploaded
    before (`lab_report_pdf_upload`). Its digest is signed with the report; a bad file refuses the whole report.
    """
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.LAB])
    batch = _batch_for_lab(actor=actor, batch=Batch.objects.select_related("product").filter(pk=batch_id).first())
    accreditation = accreditation_normalize(accreditation)
    sample_id = _text_field(sample_id, field="sample_id", max_length=64)
    method = _text_field(method, field="method", max_length=255)
    sampled_place = _optional_text(sampled_place, field="sampled_place", max_length=255)
    sampled_at = _sampled_at(sampled_at)
    plausible.report_check(batch=batch, sampled_at=sampled_at)
    measured = measurements_validate(category=batch.product.category, version=CURRENT_VERSION,
                                     measurements=measurements)
    draft = Draft(
        batch=batch, report_id=uuid.uuid4(), accreditation=accreditation, sample_id=sample_id, sampled_at=sampled_at,
        sampled_place=sampled_place, method=method, version=CURRENT_VERSION, measured=measured,
        pdf=pdf_resolve(pdf),  # last: a report refused for its fields stores no file
    )
    ref = signing.statement_sign_and_append(organization=actor.organization, statement=_statement(actor=actor,
                                                                                                draft=draft))
    return _store(actor=actor, draft=draft, leaf_hash=ref.leaf_hash, self_signed=False)


def _signed_statement(envelope_bytes: bytes) -> dict[str, Any]:
    try:
        statement = json.loads(parse_envelope(bytes(envelope_bytes)).payload.decode("utf-8"))
    except (LedgerError, UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise InvalidInput(errors.ENVELOPE_INVALID, _("签名信封格式错误"), details={"reason": str(exc)}) from exc
    if not isinstance(statement, dict) or statement.get("type") != LAB_REPORT.name:
        raise InvalidInput(errors.ENVELOPE_INVALID, _("签名信封中的声明必须是 lab.report 类型"),
                           details={"field": "type"})
    return statement


def _signed_place(value: Any) -> str:
    # The signed text is stored as it is: the row must say exactly what the lab signed.
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 255 or value != value.strip():
        raise InvalidInput(errors.FIELD_INVALID, _("字段格式错误或过长"), details={"field": "sampled_place",
                                                                          "max_length": 255})
    return value


@transaction.atomic
def lab_report_submit_signed(*, actor: Actor, envelope_bytes: bytes) -> LabReport:
    """Store a lab report the lab signed itself: the envelope's `lab.report` statement is validated like an
    issued report and enters the log as it is, under the lab's own registered key."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.LAB])
    statement = _signed_statement(envelope_bytes)
    if statement.get("lab") != keys.owner_of(actor.organization):
        raise InvalidInput(errors.ENVELOPE_INVALID, _("声明中的检测机构与提交者不一致"), details={"field": "lab"})
    batch = _batch_for_lab(
        actor=actor,
        batch=Batch.objects.select_related("product")
        .filter(product__gtin=str(statement.get("gtin", "")), lot=str(statement.get("lot", "")))
        .first(),
    )
    version = statement.get("table_version")
    if version not in TABLES:
        raise InvalidInput(errors.TABLE_VERSION_UNKNOWN, _("未知的限值表版本"),
                           details={"table_version": str(version)[:16], "known": sorted(TABLES)})
    try:
        report_id = uuid.UUID(str(statement.get("report_id", "")))
    except ValueError:
        raise InvalidInput(errors.FIELD_INVALID, _("报告编号必须是 UUID"), details={"field": "report_id"}) from None
    measurements = statement.get("measurements")
    measured = measurements_validate(
        category=batch.product.category, version=str(version),
        measurements=measurements if isinstance(measurements, list) else [],
    )
    raw_sampled = statement.get("sampled_at")
    pdf = statement.get("pdf")
    draft = Draft(
        batch=batch, report_id=report_id,
        accreditation=accreditation_normalize(str(statement.get("accreditation", ""))),
        sample_id=_text_field(statement.get("sample_id"), field="sample_id", max_length=64),
        sampled_at=_sampled_at(raw_sampled if isinstance(raw_sampled, str) else ""),
        sampled_place=_signed_place(statement.get("sampled_place")),
        method=_text_field(statement.get("method"), field="method", max_length=255),
        version=str(version), measured=measured,
        pdf=None if pdf is None else pdf_stored(sha256=pdf.get("sha256") if isinstance(pdf, dict) else None,
                                                 size=pdf.get("size") if isinstance(pdf, dict) else None),
    )
    plausible.report_check(batch=batch, sampled_at=draft.sampled_at)
    ref = signing.envelope_submit(actor=actor, envelope_bytes=bytes(envelope_bytes))
    return _store(actor=actor, draft=draft, leaf_hash=ref.leaf_hash, self_signed=True)
