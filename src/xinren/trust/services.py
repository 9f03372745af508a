"""Writes: alliances define regional programmes, upload badge artwork and activate or retire them.

Merchants never apply: a product whose lot meets an active programme's rules shows its badge on its own
(docs/trust-labels.md). Activation signs the rules as they stand (`trust.programme`) with the alliance's
key, so that anyone can check which rules a badge stood for at any time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.attest import keys, signing
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.core.transitions import transition_check

from . import errors
from .choices import PROGRAMME_TRANSITIONS, ProgrammeStatus
from .labels.catalogue import LABEL_CODES, RULESET_VERSION
from .models import Programme, ProgrammeStatusChange
from .statements import TRUST_PROGRAMME
from .svg import svg_sanitize

ALLIANCE_KINDS = (OrganizationKind.ALLIANCE,)
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$")


def _invalid(message: Any, field: str, **details: Any) -> InvalidInput:
    return InvalidInput(errors.PROGRAMME_INVALID, message, details={"field": field, **details})


def _clean(
    *, name: str, region: str, description: str, required_labels: Sequence[str], min_lab_stars: int | None
) -> dict[str, Any]:
    name, region, description = name.strip(), region.strip(), description.strip()
    if not 2 <= len(name) <= 64:
        raise _invalid(_("名称须为 2–64 字"), "name")
    if not 2 <= len(region) <= 128:
        raise _invalid(_("请填写地区（如 云南省昆明市）"), "region")
    if len(description) > 2000:
        raise _invalid(_("说明不超过 2000 字"), "description")
    labels = list(dict.fromkeys(required_labels))
    unknown = [code for code in labels if code not in LABEL_CODES]
    if unknown:
        raise _invalid(_("未知的标签"), "required_labels", unknown=unknown, expected=list(LABEL_CODES))
    if min_lab_stars is not None and not 1 <= min_lab_stars <= 5:
        raise _invalid(_("最低检测星级须为 1–5"), "min_lab_stars")
    return {
        "name": name,
        "region": region,
        "description": description,
        "required_labels": labels,
        "min_lab_stars": min_lab_stars,
    }


def _badge(svg: bytes | str | None) -> dict[str, str]:
    if svg is None:
        return {}
    text = svg_sanitize(svg)
    return {"badge_svg": text, "badge_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}


@transaction.atomic
def programme_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    region: str,
    description: str = "",
    required_labels: Sequence[str] = (),
    min_lab_stars: int | None = None,
    badge_svg: bytes | str | None = None,
) -> Programme:
    """An alliance defines a programme (as a draft): rules over the label catalogue, a region and a badge."""
    actor.require(role=Role.STAFF, kinds=ALLIANCE_KINDS)
    code = code.strip().lower()
    if not _CODE.match(code):
        raise _invalid(_("代码只能使用小写字母、数字和连字符（2–48 位）"), "code")
    fields = _clean(
        name=name, region=region, description=description, required_labels=required_labels, min_lab_stars=min_lab_stars
    )
    badge = _badge(badge_svg)
    if Programme.objects.filter(alliance=actor.organization, code=code).exists():
        raise Conflict(errors.PROGRAMME_CODE_TAKEN, _("该代码已被使用"), details={"field": "code", "code": code})
    programme = Programme.objects.create(
        alliance=actor.organization, code=code, created_by=actor.user, **fields, **badge
    )
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="programme.create",
        target=programme,
        data={"code": code, **fields, "badge_sha256": badge.get("badge_sha256", "")},
    )
    return programme


def _own(actor: Actor, programme_id: int) -> Programme:
    programme = Programme.objects.select_for_update().filter(pk=programme_id, alliance=actor.organization).first()
    if programme is None:
        raise NotFound(errors.PROGRAMME_NOT_FOUND, _("找不到该计划"))
    return programme


@transaction.atomic
def programme_update(
    *,
    actor: Actor,
    programme_id: int,
    name: str,
    region: str,
    description: str = "",
    required_labels: Sequence[str] = (),
    min_lab_stars: int | None = None,
    badge_svg: bytes | str | None = None,
) -> Programme:
    """Revise a draft programme (an active one goes back to draft first, so its badges never show unsigned rules)."""
    actor.require(role=Role.STAFF, kinds=ALLIANCE_KINDS)
    programme = _own(actor, programme_id)
    if programme.status != ProgrammeStatus.DRAFT:
        raise Conflict(
            errors.PROGRAMME_NOT_EDITABLE,
            _("只能修改草稿状态的计划，请先撤回为草稿"),
            details={"status": programme.status},
        )
    fields = {
        **_clean(
            name=name,
            region=region,
            description=description,
            required_labels=required_labels,
            min_lab_stars=min_lab_stars,
        ),
        **_badge(badge_svg),
    }
    for key, value in fields.items():
        setattr(programme, key, value)
    programme.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="programme.update",
        target=programme,
        data={key: value for key, value in fields.items() if key != "badge_svg"},
    )
    return programme


def _statement(programme: Programme) -> dict[str, Any]:
    return {
        "type": TRUST_PROGRAMME.name,
        "subject": f"{settings.XINREN_RESOLVER.rstrip('/')}/programmes/{programme.alliance.slug}/{programme.code}",
        "alliance": keys.owner_of(programme.alliance),
        "code": programme.code,
        "name": programme.name,
        "region": programme.region,
        "required_labels": programme.required_labels,
        "min_lab_stars": programme.min_lab_stars,
        "label_rules": RULESET_VERSION,
        "badge_sha256": programme.badge_sha256,
        "version": programme.version,
    }


def _products_in(region: str) -> list[int]:
    return list(Product.objects.filter(origin_region__contains=region).values_list("pk", flat=True))


@transaction.atomic
def programme_set_status(*, actor: Actor, programme_id: int, status: str) -> Programme:
    """Activate (signing the rules as a new version), send back to draft, or retire a programme."""
    actor.require(role=Role.ADMIN, kinds=ALLIANCE_KINDS)
    programme = _own(actor, programme_id)
    transition_check(
        PROGRAMME_TRANSITIONS, programme.status, status, code=errors.PROGRAMME_TRANSITION,
        message=_("计划当前状态不允许此操作"),
    )
    leaf_hash = ""
    if status == ProgrammeStatus.ACTIVE:
        missing = [
            field
            for field, ok in (
                ("required_labels", bool(programme.required_labels)),
                ("badge_svg", bool(programme.badge_svg)),
            )
            if not ok
        ]
        if missing:
            raise InvalidInput(
                errors.PROGRAMME_INCOMPLETE,
                _("启用前须至少选择一个标签并上传徽章"),
                details={"missing": missing, "field": missing[0]},
            )
        programme.version += 1
        leaf_hash = signing.statement_sign_and_append(
            organization=actor.organization, statement=_statement(programme)
        ).leaf_hash
        programme.ledger_leaf_hash = leaf_hash
    ProgrammeStatusChange.objects.create(
        programme=programme,
        from_status=programme.status,
        to_status=status,
        version=programme.version,
        at=clock.now(),
        actor=actor.user,
        ledger_leaf_hash=leaf_hash,
    )
    previous, programme.status = programme.status, status
    programme.save(update_fields=["status", "version", "ledger_leaf_hash", "updated_at"])
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=_products_in(programme.region))
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="programme.status",
        target=programme,
        data={"from": previous, "to": status, "version": programme.version, "leaf_hash": leaf_hash},
    )
    return programme
