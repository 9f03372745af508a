"""Trust API: public labels of a product or lot; alliances declare their regions and manage their programmes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.catalog.gs1 import gtin_normalize
from xinren.core.schemas import ERRORS, ErrorOut

from . import selectors, services
from .choices import ProgrammeStatus
from .labels.catalogue import LABELS, RULESET_VERSION

router = Router(tags=["trust"])


class EvidenceRefOut(Schema):
    kind: str
    description: str
    leaf_hash: str
    log_index: int | None
    url: str | None


class LabelOut(Schema):
    code: str
    name: str
    icon: str
    rule: str
    how: str
    evidence: list[EvidenceRefOut]


class BadgeOut(Schema):
    code: str
    name: str
    alliance: str
    region: str
    description: str
    version: int
    leaf_hash: str
    requires: list[str]
    min_lab_stars: int | None
    badge: str = Field(description="data:image/svg+xml;base64,… (sanitised SVG)")
    evidence: list[EvidenceRefOut]


class LabelsOut(Schema):
    rule_version: str
    labels: list[LabelOut]
    badges: list[BadgeOut]


class CatalogueLabelOut(Schema):
    code: str
    name: str
    icon: str
    rule: str


class CatalogueOut(Schema):
    rule_version: str
    labels: list[CatalogueLabelOut]


class ProgrammeIn(Schema):
    code: str = Field(examples=["kunming-trace"])
    name: str = Field(examples=["昆明溯源"])
    region_code: str = Field(
        examples=["530100"], description="GB/T 2260 code inside one of the alliance's declared regions"
    )
    description: str = ""
    required_labels: list[str] = Field(default_factory=list, examples=[["origin_direct", "direct_24h"]])
    min_lab_stars: int | None = Field(None, ge=1, le=5)
    badge_svg: str | None = Field(None, description="SVG text; refused unless it passes the allow-list")


class ProgrammeUpdateIn(Schema):
    name: str
    region_code: str
    description: str = ""
    required_labels: list[str] = Field(default_factory=list)
    min_lab_stars: int | None = Field(None, ge=1, le=5)
    badge_svg: str | None = None


class ProgrammeStatusIn(Schema):
    status: ProgrammeStatus


class ProgrammeOut(Schema):
    id: int
    alliance_id: int
    alliance: str
    code: str
    name: str
    region: str
    region_code: str
    description: str
    required_labels: list[str]
    min_lab_stars: int | None
    badge_svg: str
    badge_sha256: str
    status: str
    version: int
    leaf_hash: str = Field(alias="ledger_leaf_hash")

    @staticmethod
    def resolve_alliance(obj: Any) -> str:
        return str(obj.alliance.name)


class AllianceRegionsIn(Schema):
    codes: list[str] = Field(examples=[["530100"]], description="GB/T 2260 codes inside the alliance's own region")


class AllianceRegionOut(Schema):
    code: str
    name: str


class QualifierOut(Schema):
    merchant: str
    product: str
    gtin: str
    lot: str
    batch_id: int
    qualifies: bool
    problems: list[str]


@router.get(
    "/labels/catalogue", response={200: CatalogueOut}, auth=None, summary="The label catalogue and its rules (public)"
)
def label_catalogue(request: HttpRequest) -> Any:
    labels = [{"code": x.code, "name": str(x.name), "icon": x.icon, "rule": str(x.rule)} for x in LABELS]
    return {"rule_version": RULESET_VERSION, "labels": labels}


@router.get(
    "/labels/{gtin}",
    response={200: LabelsOut, 404: ErrorOut},
    auth=None,
    summary="The labels and badges a published product (and lot) earns now (public)",
)
def labels_public(request: HttpRequest, gtin: str, lot: str | None = None) -> Any:
    return selectors.labels_public_for(gtin=gtin_normalize(gtin), lot=lot)


@router.get("/programmes", response={200: list[ProgrammeOut], **ERRORS}, summary="Your programmes, or active ones")
def programme_list(request: HttpRequest) -> Any:
    return list(selectors.programme_list(actor=actor_of(request))[:500])


@router.post("/programmes", response={201: ProgrammeOut, **ERRORS}, summary="Define a programme (alliances)")
def programme_create(request: HttpRequest, payload: ProgrammeIn) -> Any:
    return Status(201, services.programme_create(actor=actor_of(request), **payload.dict()))


@router.get("/programmes/{programme_id}", response={200: ProgrammeOut, **ERRORS}, summary="One programme")
def programme_get(request: HttpRequest, programme_id: int) -> Any:
    return selectors.programme_get(actor=actor_of(request), programme_id=programme_id)


@router.put("/programmes/{programme_id}", response={200: ProgrammeOut, **ERRORS}, summary="Revise a draft")
def programme_update(request: HttpRequest, programme_id: int, payload: ProgrammeUpdateIn) -> Any:
    return services.programme_update(actor=actor_of(request), programme_id=programme_id, **payload.dict())


@router.post(
    "/programmes/{programme_id}/status",
    response={200: ProgrammeOut, **ERRORS},
    summary="Activate (signs the rules), send back to draft, or retire",
)
def programme_set_status(request: HttpRequest, programme_id: int, payload: ProgrammeStatusIn) -> Any:
    return services.programme_set_status(actor=actor_of(request), programme_id=programme_id, status=payload.status)


@router.get(
    "/programmes/{programme_id}/qualifiers",
    response={200: list[QualifierOut], **ERRORS},
    summary="Lots from the programme's region and whether each qualifies (the alliance's own programmes)",
)
def programme_qualifiers(request: HttpRequest, programme_id: int) -> Any:
    return selectors.programme_qualifiers(actor=actor_of(request), programme_id=programme_id)


@router.get("/alliance/regions", response={200: list[AllianceRegionOut], **ERRORS}, summary="An alliance's regions")
def alliance_regions(request: HttpRequest) -> Any:
    return selectors.alliance_regions_list(actor=actor_of(request))


@router.put(
    "/alliance/regions",
    response={200: list[AllianceRegionOut], **ERRORS},
    summary="Declare the regions the alliance speaks for (GB/T 2260 codes)",
)
def alliance_regions_declare(request: HttpRequest, payload: AllianceRegionsIn) -> Any:
    actor = actor_of(request)
    services.alliance_regions_declare(actor=actor, codes=payload.codes)
    return selectors.alliance_regions_list(actor=actor)
