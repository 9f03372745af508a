"""Writes: alliances define regional programmes, upload badge artwork and activate or retire them.

Merchants never apply: a product whose lot meets an active programme's rules shows its badge on its own
(docs/trust-labels.md). Activation signs the rules as they stand (`trust.programme`) with the alliance's
key, so that anyone can check which rules a badge stood for at any time.

An alliance speaks only for the regions it declares (GB/T 2260 codes, inside the region the platform registered
for it); a programme's region is one of those or lies inside one (ADR 0039).
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
from xinren.accounts.models import Organization
from xinren.attest import keys, signing
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.core.regions import region_code_from_text, region_full_name, region_get, region_within
from xinren.core.transitions import transition_check

from . import errors
from .choices import PROGRAMME_TRANSITIONS, ProgrammeStatus
from .labels.catalogue import LABEL_CODES, RULESET_VERSION
from .models import AllianceRegion, Programme, ProgrammeStatusChange
from .selectors import alliance_region_codes, products_in_region
from .statements import TRUST_PROGRAMME
from .svg import svg_sanitize

ALLIANCE_KINDS = (OrganizationKind.ALLIANCE,)
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$")


def _invalid(message: Any, field: str, **details: Any) -> InvalidInput:
    return InvalidInput(errors.PROGRAMME_INVALID, message, details={"field": field, **details})


def _region_check(alliance: Organization, region_code: str) -> str:
    """The programme's region must be in the table and inside one of the alliance's declared regions."""
    region_code = region_code.strip()
    region = region_get(region_code)
    if region is None:
        raise InvalidInput(
            errors.PROGRAMME_REGION_UNKNOWN,
            _("地区代码“%(code)s”不在 GB/T 2260 行政区划代码表中") % {"code": region_code},
            details={"field": "region_code", "region_code": region_code},
        )
    declared = alliance_region_codes(alliance=alliance)
    if not any(region_within(region_code, code) for code in declared):
        raise InvalidInput(
            errors.PROGRAMME_REGION_OUTSIDE,
            _("%(region)s（%(code)s）不在本联盟声明的地区之内（%(declared)s）")
            % {
                "region": region.name,
                "code": region_code,
                "declared": "、".join(region_full_name(code) for code in declared) or _("尚未声明任何地区"),
            },
            details={"field": "region_code", "region_code": region_code, "declared": declared},
        )
    return region_code


def _clean(
    *, alliance: Organization, name: str, region_code: str, description: str, required_labels: Sequence[str],
    min_lab_stars: int | None,
) -> dict[str, Any]:
    name, description = name.strip(), description.strip()
    if not 2 <= len(name) <= 64:
        raise _invalid(_("名称须为 2–64 字"), "name")
    region_code = _region_check(alliance, region_code)
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
        "region": region_full_name(region_code),
        "region_code": region_code,
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
    region_code: str,
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
        alliance=actor.organization, name=name, region_code=region_code, description=description,
        required_labels=required_labels, min_lab_stars=min_lab_stars,
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
    region_code: str,
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
            alliance=actor.organization,
            name=name,
            region_code=region_code,
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
        "region_code": programme.region_code,
        "alliance_regions": alliance_region_codes(alliance=programme.alliance),
        "required_labels": programme.required_labels,
        "min_lab_stars": programme.min_lab_stars,
        "label_rules": RULESET_VERSION,
        "badge_sha256": programme.badge_sha256,
        "version": programme.version,
    }


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
        # The alliance may have withdrawn the region since the draft was saved.
        _region_check(programme.alliance, programme.region_code)
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
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=products_in_region(programme.region_code))
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="programme.status",
        target=programme,
        data={"from": previous, "to": status, "version": programme.version, "leaf_hash": leaf_hash},
    )
    return programme


@transaction.atomic
def alliance_regions_declare(*, actor: Actor, codes: Sequence[str]) -> list[str]:
    """An alliance declares the regions it speaks for (GB/T 2260 codes), all inside the region the platform
    registered for it; a region that an unretired programme uses cannot be withdrawn."""
    actor.require(role=Role.ADMIN, kinds=ALLIANCE_KINDS)
    alliance = actor.organization
    wanted = sorted({code.strip() for code in codes if code.strip()})
    unknown = [code for code in wanted if region_get(code) is None]
    if unknown:
        raise InvalidInput(
            errors.ALLIANCE_REGIONS_INVALID,
            _("地区代码不在 GB/T 2260 行政区划代码表中：%(codes)s") % {"codes": "、".join(unknown)},
            details={"field": "codes", "unknown": unknown},
        )
    home = region_code_from_text(alliance.region)
    if home is None:
        raise InvalidInput(
            errors.ALLIANCE_REGIONS_INVALID,
            _("平台尚未登记本联盟的所在地区，无法声明地区，请联系平台运营"),
            details={"field": "codes", "organization_region": alliance.region},
        )
    outside = [code for code in wanted if not region_within(code, home)]
    if outside:
        raise InvalidInput(
            errors.ALLIANCE_REGIONS_INVALID,
            _("%(regions)s 不在本联盟登记的所在地区（%(home)s）之内")
            % {"regions": "、".join(region_full_name(code) for code in outside), "home": region_full_name(home)},
            details={"field": "codes", "outside": outside, "home": home},
        )
    locked = list(AllianceRegion.objects.select_for_update().filter(alliance=alliance))
    for programme in Programme.objects.filter(alliance=alliance).exclude(status=ProgrammeStatus.RETIRED):
        if programme.region_code and not any(region_within(programme.region_code, code) for code in wanted):
            raise Conflict(
                errors.ALLIANCE_REGION_IN_USE,
                _("计划“%(name)s”使用 %(region)s，请先停用该计划再撤回此地区")
                % {"name": programme.name, "region": programme.region},
                details={"field": "codes", "programme": programme.code, "region_code": programme.region_code},
            )
    before = sorted(row.code for row in locked)
    AllianceRegion.objects.filter(alliance=alliance).exclude(code__in=wanted).delete()
    now = clock.now()
    AllianceRegion.objects.bulk_create(
        [
            AllianceRegion(alliance=alliance, code=code, declared_at=now, declared_by=actor.user)
            for code in wanted
            if code not in before
        ]
    )
    audit_record(
        actor=actor.user, organization=alliance, action="alliance.regions", target=alliance,
        data={"from": before, "to": wanted},
    )
    return wanted
