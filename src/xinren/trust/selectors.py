"""Reads for the consumer page, the console and the API: labels and badges evaluated on read."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Organization
from xinren.attest.proofs import VERIFIED
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Batch, Product
from xinren.core.errors import NotFound
from xinren.core.regions import region_children, region_code_from_text, region_full_name, region_within

from . import errors
from .choices import ProgrammeStatus
from .labels.catalogue import LABELS, RULESET_VERSION
from .labels.facts import LotFacts
from .labels.outcome import EvidenceRef, EvidenceRefData, Label, LabelOutcome
from .models import AllianceRegion, Programme

PUBLIC_STATUSES = (ProductStatus.ACTIVE, ProductStatus.DELISTED)


class TrustLabel(TypedDict, closed=True):
    """A label of the catalogue and how the product and lot earned it, with the statements behind it."""

    code: str
    name: str
    icon: str
    rule: str
    how: str
    evidence: list[EvidenceRefData]


class RegionalBadge(TypedDict, closed=True):
    """A regional programme's badge the lot qualifies for, with the evidence its rules rest on."""

    code: str
    name: str
    alliance: str
    region: str
    description: str
    version: int
    leaf_hash: str
    requires: list[str]  # the names of the labels it requires
    min_lab_stars: int | None
    badge: str  # data:image/svg+xml;base64,… (sanitised SVG)
    evidence: list[EvidenceRefData]


class LabelsSection(TypedDict, closed=True):
    """The trust labels and regional badges section."""

    rule_version: str
    labels: list[TrustLabel]
    badges: list[RegionalBadge]


@dataclass(frozen=True)
class Evaluation:
    """Every label of the catalogue for one product and lot, earned or not."""

    outcomes: list[tuple[Label, LabelOutcome]]

    @property
    def earned_codes(self) -> set[str]:
        return {label.code for label, outcome in self.outcomes if outcome.earned}


def labels_evaluate(*, product: Product, batch: Batch | None, now: dt.datetime | None = None) -> Evaluation:
    """Apply each rule of the catalogue to the product and lot (lot-bound rules fail without a lot)."""
    facts = LotFacts(product=product, batch=batch, now=now)
    outcomes: list[tuple[Label, LabelOutcome]] = []
    for label in LABELS:
        if label.needs_lot and batch is None:
            outcomes.append((label, LabelOutcome().lack(_("按批次计算，请查看具体批次"))))
        else:
            outcomes.append((label, label.evaluate(facts)))
    return Evaluation(outcomes=outcomes)


def alliance_region_codes(*, alliance: Organization) -> list[str]:
    """The GB/T 2260 codes an alliance has declared, in code order."""
    return list(AllianceRegion.objects.filter(alliance=alliance).order_by("code").values_list("code", flat=True))


def alliance_regions_list(*, actor: Actor) -> list[dict[str, str]]:
    """The alliance's declared regions with their names, and the region the platform registered for it."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.ALLIANCE])
    return [
        {"code": code, "name": region_full_name(code)}
        for code in alliance_region_codes(alliance=actor.organization)
    ]


def alliance_region_choices(*, actor: Actor) -> list[tuple[str, str]]:
    """Regions a programme of the alliance may use: each declared region and the table's regions inside it."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.ALLIANCE])
    choices: dict[str, str] = {}
    for code in alliance_region_codes(alliance=actor.organization):
        for region in region_children(code):
            choices[region.code] = f"{region_full_name(region.code)}（{region.code}）"
    return sorted(choices.items())


def alliance_home_choices(*, actor: Actor) -> list[tuple[str, str]]:
    """Regions an alliance may declare: the one the platform registered for it and those of the table inside it."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.ALLIANCE])
    home = region_code_from_text(actor.organization.region)
    if home is None:
        return []
    return [(r.code, f"{region_full_name(r.code)}（{r.code}）") for r in region_children(home)]


def product_region_code(product: Product) -> str | None:
    """The region code of a product's origin, read from its declared origin by the code table (core.regions)."""
    return region_code_from_text(product.origin_region)


def _region_q(region_code: str, field: str) -> Q:
    """A superset filter on an origin text: it names the region or one inside it (refined by product_region_code)."""
    condition = Q()
    for region in region_children(region_code):
        condition |= Q(**{f"{field}__contains": region.aliases[-1] if region.aliases else region.name})
    return condition


def products_in_region(region_code: str) -> list[int]:
    """The ids of the products whose origin lies inside a region."""
    if not region_code:
        return []
    candidates = Product.objects.filter(_region_q(region_code, "origin_region")).only("pk", "origin_region")
    return [p.pk for p in candidates if region_within(product_region_code(p) or "", region_code)]


def _region_problem(programme: Programme, product: Product) -> str | None:
    code = product_region_code(product)
    if code is None:
        return _("商品产地“%(origin)s”对应不到行政区划代码，请写明省、市（州），如 云南省楚雄州") % {
            "origin": product.origin_region
        }
    if not region_within(code, programme.region_code):
        return _("商品产地 %(origin)s（%(code)s）不在计划地区 %(region)s（%(region_code)s）之内") % {
            "origin": region_full_name(code),
            "code": code,
            "region": programme.region,
            "region_code": programme.region_code or "—",
        }
    return None


def _programme_problems(
    programme: Programme, product: Product, evaluation: Evaluation, lab: tuple[int, Any, Any] | None
) -> list[str]:
    problems = []
    region_problem = _region_problem(programme, product)
    if region_problem is not None:
        problems.append(region_problem)
    names = {label.code: str(label.name) for label, _outcome in evaluation.outcomes}
    for code in programme.required_labels:
        if code not in evaluation.earned_codes:
            problems.append(_("需要先获得“%(label)s”标签") % {"label": names.get(code, code)})
    if programme.min_lab_stars is not None:
        if lab is None:
            problems.append(_("需要本批次的检测报告（至少 %(stars)s 星）") % {"stars": programme.min_lab_stars})
        elif lab[1].state != VERIFIED:
            problems.append(_("检测报告尚未在日志中验证"))
        elif lab[0] < programme.min_lab_stars:
            problems.append(
                _("检测 %(got)s 星，低于要求的 %(stars)s 星") % {"got": lab[0], "stars": programme.min_lab_stars}
            )
    return problems


def badge_data_uri(programme: Programme) -> str:
    """The sanitised badge as a data: URI, for an <img> (where an SVG's scripts never run anyway)."""
    return "data:image/svg+xml;base64," + base64.b64encode(programme.badge_svg.encode("utf-8")).decode("ascii")


def _badge_dict(programme: Programme, evaluation: Evaluation, lab: tuple[int, Any, Any] | None) -> RegionalBadge:
    evidence: list[EvidenceRef] = [
        ref
        for label, outcome in evaluation.outcomes
        if label.code in programme.required_labels
        for ref in outcome.evidence
    ]
    if programme.min_lab_stars is not None and lab is not None:
        evidence.append(
            EvidenceRef.of(kind="lab.report", description=_("检测 %(stars)s 星") % {"stars": lab[0]}, proof=lab[1])
        )
    names = {label.code: str(label.name) for label, _outcome in evaluation.outcomes}
    return {
        "code": programme.code,
        "name": programme.name,
        "alliance": programme.alliance.name,
        "region": programme.region,
        "description": programme.description,
        "version": programme.version,
        "leaf_hash": programme.ledger_leaf_hash,
        "requires": [names[code] for code in programme.required_labels if code in names],
        "min_lab_stars": programme.min_lab_stars,
        "badge": badge_data_uri(programme),
        "evidence": [ref.as_dict() for ref in evidence],
    }


def _active_programmes(product: Product) -> list[Programme]:
    """Active programmes whose region holds the product's origin (a programme without a code holds nothing)."""
    code = product_region_code(product)
    if code is None:
        return []
    return [
        p
        for p in Programme.objects.filter(status=ProgrammeStatus.ACTIVE)
        .exclude(region_code="")
        .select_related("alliance")
        .order_by("name", "id")
        if region_within(code, p.region_code)
    ]


def _label_dict(label: Label, outcome: LabelOutcome) -> TrustLabel:
    return {
        "code": label.code,
        "name": str(label.name),
        "icon": label.icon,
        "rule": str(label.rule),
        "how": outcome.how,
        "evidence": [ref.as_dict() for ref in outcome.evidence],
    }


def labels_for(*, product: Product, batch: Batch | None) -> LabelsSection | None:
    """The trust labels and regional badges the product and lot earn now, each with its evidence, or None."""
    evaluation = labels_evaluate(product=product, batch=batch)
    labels = [_label_dict(label, outcome) for label, outcome in evaluation.outcomes if outcome.earned]
    badges: list[RegionalBadge] = []
    programmes = _active_programmes(product)
    if programmes and batch is not None:
        lab = LotFacts(product=product, batch=batch).lab
        badges = [
            _badge_dict(p, evaluation, lab) for p in programmes if not _programme_problems(p, product, evaluation, lab)
        ]
    if not labels and not badges:
        return None
    return {"rule_version": RULESET_VERSION, "labels": labels, "badges": badges}


def labels_console_for(*, actor: Actor, product: Product, batch: Batch | None) -> dict[str, Any]:
    """For the merchant: every label with what is missing, and each active regional programme's verdict."""
    actor.require(role=Role.VIEWER)
    if product.merchant_id != actor.organization.pk:
        raise NotFound(errors.LABELS_NOT_FOUND, gettext_lazy("找不到该商品"))
    evaluation = labels_evaluate(product=product, batch=batch)
    lab = LotFacts(product=product, batch=batch).lab if batch is not None else None
    region_code = product_region_code(product)
    return {
        "rule_version": RULESET_VERSION,
        "origin_region_code": region_code,
        "origin_problem": ""
        if region_code is not None
        else _("商品产地“%(origin)s”对应不到行政区划代码，请写明省、市（州），如 云南省楚雄州")
        % {"origin": product.origin_region},
        "labels": [
            {**_label_dict(label, outcome), "earned": outcome.earned, "missing": outcome.missing}
            for label, outcome in evaluation.outcomes
        ],
        "programmes": [
            {
                "programme": p,
                "problems": _programme_problems(p, product, evaluation, lab)
                if batch
                else [_("按批次计算，请查看具体批次")],
            }
            for p in _active_programmes(product)
        ],
    }


def labels_public_for(*, gtin: str, lot: str | None) -> LabelsSection:
    """Public: the labels of a published product (and lot), as the consumer page shows them."""
    product = Product.objects.select_related("merchant").filter(gtin=gtin, status__in=PUBLIC_STATUSES).first()
    batch = product.batches.filter(lot=lot).first() if product is not None and lot else None
    if product is None or (lot and batch is None):
        raise NotFound(errors.LABELS_NOT_FOUND, gettext_lazy("找不到该商品或批次"))
    return labels_for(product=product, batch=batch) or {"rule_version": RULESET_VERSION, "labels": [], "badges": []}


def programme_list(*, actor: Actor) -> QuerySet[Programme]:
    """An alliance sees all of its own programmes; anyone else sees the active ones of every alliance."""
    actor.require(role=Role.VIEWER)
    programmes = Programme.objects.select_related("alliance").order_by("name", "id")
    if actor.organization.kind == OrganizationKind.ALLIANCE:
        return programmes.filter(alliance=actor.organization)
    return programmes.filter(status=ProgrammeStatus.ACTIVE)


def programme_get(*, actor: Actor, programme_id: int) -> Programme:
    programme = programme_list(actor=actor).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(errors.PROGRAMME_NOT_FOUND, gettext_lazy("找不到该计划"))
    return programme


def programme_qualifiers(*, actor: Actor, programme_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The alliance's view: each published lot from the programme's region, whether it qualifies and why not."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.ALLIANCE])
    programme = programme_get(actor=actor, programme_id=programme_id)
    batches = (
        Batch.objects.filter(
            product_id__in=products_in_region(programme.region_code), product__status=ProductStatus.ACTIVE
        )
        .select_related("product__merchant")
        .order_by("-production_date", "id")[:limit]
    )
    rows = []
    for batch in batches:
        evaluation = labels_evaluate(product=batch.product, batch=batch)
        lab = LotFacts(product=batch.product, batch=batch).lab
        problems = _programme_problems(programme, batch.product, evaluation, lab)
        rows.append(
            {
                "merchant": batch.product.merchant.name,
                "product": batch.product.name,
                "gtin": batch.product.gtin,
                "lot": batch.lot,
                "qualifies": not problems,
                "problems": problems,
                "batch_id": batch.pk,
            }
        )
    return rows
