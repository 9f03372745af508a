"""The operators' blacklist (黑名单): add, lift, import from CSV. Screening is in accounts/blacklist.py (ADR 0046).

Only platform members (staff and up) act; every change is audited; a value is kept only as its keyed hash and a
masked hint of its last four characters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import BlacklistKind, InterceptionStage, OrganizationKind, Role
from xinren.accounts.keyed import keyed_hash, normalise
from xinren.accounts.models import BlacklistEntry, Interception
from xinren.accounts.uscc import uscc_is_valid
from xinren.core import clock
from xinren.core.audit import audit_record, audit_record_many
from xinren.core.errors import Conflict, InvalidInput, NotFound

INVALID = "governance.blacklist_invalid"
DUPLICATE = "governance.blacklist_duplicate"
LIFTED = "governance.blacklist_lifted"
IMPORT_INVALID = "governance.blacklist_import_invalid"
MAX_IMPORT_ROWS = 10_000

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _id_number_valid(value: str) -> bool:
    """An 18-character resident ID number (GB 11643) with its check character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    return _ID_CHECK[sum(int(c) * w for c, w in zip(value[:17], _ID_WEIGHTS, strict=True)) % 11] == value[17]


def _value_clean(kind: str, value: str) -> str:
    if kind not in BlacklistKind.values:
        raise InvalidInput(INVALID, _("请选择黑名单类型"), details={"field": "kind"})
    text = normalise(kind, value or "")
    valid = {
        BlacklistKind.USCC: uscc_is_valid(text),
        BlacklistKind.ID_NUMBER: _id_number_valid(text),
        BlacklistKind.PHONE: bool(re.fullmatch(r"1\d{10}", text)),
        BlacklistKind.BANK_ACCOUNT: bool(re.fullmatch(r"\d{12,30}", text)),
        BlacklistKind.DEVICE: 8 <= len(text) <= 200,
    }[BlacklistKind(kind)]
    if not valid:
        messages = {
            BlacklistKind.USCC: _("统一社会信用代码无效：须为 18 位且校验位正确"),
            BlacklistKind.ID_NUMBER: _("身份证号无效：须为 18 位且校验位正确"),
            BlacklistKind.PHONE: _("手机号无效：须为 11 位、以 1 开头"),
            BlacklistKind.BANK_ACCOUNT: _("银行账号无效：须为 12–30 位数字"),
            BlacklistKind.DEVICE: _("设备标识无效：须为 8–200 个字符"),
        }
        raise InvalidInput(INVALID, messages[BlacklistKind(kind)], details={"field": "value"})
    return text


def _hint(text: str) -> str:
    return "****" + text[-4:]


def _ends_at_clean(ends_at: dt.date | dt.datetime | None) -> dt.datetime:
    """A date ends at the start of the next day (Beijing time); the end must be in the future."""
    if ends_at is None:
        raise InvalidInput(INVALID, _("请填写截止日期"), details={"field": "ends_at"})
    if not isinstance(ends_at, dt.datetime):
        ends_at = timezone.make_aware(dt.datetime.combine(ends_at + dt.timedelta(days=1), dt.time()))
    elif timezone.is_naive(ends_at):
        ends_at = timezone.make_aware(ends_at)
    if ends_at <= clock.now():
        raise InvalidInput(INVALID, _("截止日期须晚于今天"), details={"field": "ends_at"})
    return ends_at


def _reason_clean(reason: str, *, field: str = "reason") -> str:
    reason = " ".join((reason or "").split())
    if not 2 <= len(reason) <= 255:
        raise InvalidInput(INVALID, _("请填写原因（2–255 字）"), details={"field": field})
    return reason


def _operator(actor: Actor) -> None:
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.PLATFORM])


def _entry_new(
    *,
    actor: Actor,
    kind: str,
    value: str,
    reason: str,
    ends_at: dt.date | dt.datetime | None,
    seen: set[tuple[str, str]] | None = None,
) -> BlacklistEntry:
    text = _value_clean(kind, value)
    reason = _reason_clean(reason)
    ends = _ends_at_clean(ends_at)
    value_hash = keyed_hash(kind, text)
    live = BlacklistEntry.objects.filter(
        kind=kind, value_hash=value_hash, lifted_at__isnull=True, ends_at__gt=clock.now()
    )
    if (seen is not None and (kind, value_hash) in seen) or live.exists():
        raise Conflict(DUPLICATE, _("该对象已在黑名单中"), details={"field": "value"})
    if seen is not None:
        seen.add((kind, value_hash))
    return BlacklistEntry(
        kind=kind, value_hash=value_hash, hint=_hint(text), reason=reason, ends_at=ends, created_by=actor.user
    )


@transaction.atomic
def blacklist_add(
    *, actor: Actor, kind: str, value: str, reason: str, ends_at: dt.date | dt.datetime | None
) -> BlacklistEntry:
    """Ban one identifier until `ends_at` (a date: through that day) for `reason`."""
    _operator(actor)
    entry = _entry_new(actor=actor, kind=kind, value=value, reason=reason, ends_at=ends_at)
    entry.save()
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="blacklist.add",
        target=entry,
        data={"kind": entry.kind, "hint": entry.hint, "ends_at": entry.ends_at.isoformat()},
    )
    return entry


@transaction.atomic
def blacklist_lift(*, actor: Actor, entry_id: int, reason: str) -> BlacklistEntry:
    """Lift an entry before its end, with a reason; the entry and its interceptions stay on record."""
    _operator(actor)
    reason = _reason_clean(reason, field="lift_reason")
    entry = BlacklistEntry.objects.select_for_update().filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("governance.blacklist_not_found", _("没有这条黑名单记录"))
    if entry.lifted_at is not None:
        raise Conflict(LIFTED, _("该记录已解除"))
    entry.lifted_at, entry.lifted_by, entry.lift_reason = clock.now(), actor.user, reason
    entry.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="blacklist.lift",
        target=entry,
        data={"reason": reason},
    )
    return entry


@dataclass(frozen=True)
class ImportResult:
    added: int


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 — as Chinese offices export CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InvalidInput(IMPORT_INVALID, _("文件编码无法识别：请用 UTF-8 或 GB18030（GBK）保存 CSV")) from exc


_HEADERS = {
    "kind": "kind",
    "类型": "kind",
    "value": "value",
    "号码": "value",
    "值": "value",
    "reason": "reason",
    "原因": "reason",
    "ends_at": "ends_at",
    "截止日期": "ends_at",
}


@transaction.atomic
def blacklist_import(*, actor: Actor, data: bytes) -> ImportResult:
    """Add many entries from a CSV with columns kind, value, reason, ends_at (YYYY-MM-DD; Chinese headers
    类型/号码/原因/截止日期 too). All rows or none: the first bad row is named with what to fix."""
    _operator(actor)
    rows = list(csv.reader(io.StringIO(_decode(data))))
    if not rows:
        raise InvalidInput(IMPORT_INVALID, _("文件是空的"))
    header = [_HEADERS.get(cell.strip().lower(), "") for cell in rows[0]]
    if set(header) < {"kind", "value", "reason", "ends_at"}:
        raise InvalidInput(IMPORT_INVALID, _("第一行须为列名：kind,value,reason,ends_at（或 类型,号码,原因,截止日期）"))
    body = [row for row in rows[1:] if any(cell.strip() for cell in row)]
    if not 1 <= len(body) <= MAX_IMPORT_ROWS:
        raise InvalidInput(IMPORT_INVALID, _("文件须包含 1–10000 行记录"))
    seen: set[tuple[str, str]] = set()
    entries: list[BlacklistEntry] = []
    for number, row in enumerate(body, start=2):
        cells = dict(zip(header, [cell.strip() for cell in row], strict=False))
        try:
            try:
                ends = dt.date.fromisoformat(cells.get("ends_at", ""))
            except ValueError as exc:
                raise InvalidInput(INVALID, _("截止日期格式应为 YYYY-MM-DD"), details={"field": "ends_at"}) from exc
            entries.append(
                _entry_new(
                    actor=actor,
                    kind=cells.get("kind", ""),
                    value=cells.get("value", ""),
                    reason=cells.get("reason", ""),
                    ends_at=ends,
                    seen=seen,
                )
            )
        except (InvalidInput, Conflict) as exc:
            raise InvalidInput(
                IMPORT_INVALID,
                _("第 %(line)d 行：%(problem)s") % {"line": number, "problem": exc.message},
                details={"line": number, "field": exc.details.get("field")},
            ) from exc
    created = BlacklistEntry.objects.bulk_create(entries)
    audit_record_many(
        [
            (
                actor.user,
                actor.organization,
                "blacklist.add",
                entry,
                {"kind": entry.kind, "hint": entry.hint, "import": True},
            )
            for entry in created
        ]
    )
    return ImportResult(added=len(created))


# -- reads (operators only) ---------------------------------------------------------------------------------------


def blacklist_entries(*, actor: Actor, kind: str = "", live_only: bool = False) -> QuerySet[BlacklistEntry]:
    """The entries an operator may see, newest first, each with its interception count."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    rows = BlacklistEntry.objects.annotate(interception_count=Count("interceptions"))
    if kind in BlacklistKind.values:
        rows = rows.filter(kind=kind)
    if live_only:
        rows = rows.filter(lifted_at__isnull=True, ends_at__gt=clock.now())
    return rows.order_by("-id")


def interceptions_by_day(*, actor: Actor, days: int = 30) -> list[dict[str, Any]]:
    """Interceptions of the last `days` days counted by day (Beijing time) and stage: [{"day", "stage", "count"}]."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    since = clock.now() - dt.timedelta(days=days)
    rows = (
        Interception.objects.filter(at__gte=since)
        .annotate(day=TruncDate("at"))
        .values("day", "stage")
        .annotate(count=Count("id"))
        .order_by("-day", "stage")
    )
    return [dict(row) for row in rows]


def interceptions_by_stage(*, actor: Actor, days: int = 30) -> dict[str, int]:
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    since = clock.now() - dt.timedelta(days=days)
    counts = dict(
        Interception.objects.filter(at__gte=since).values_list("stage").annotate(count=Count("id")).order_by()
    )
    return {stage: counts.get(stage, 0) for stage in InterceptionStage.values}
