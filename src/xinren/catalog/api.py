"""API routes of the catalog: products, batches, items, label sheets (and their background jobs), partner grants
(ADR 0039)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from xinren.accounts.authentication import actor_of
from xinren.core.origin import public_origin
from xinren.core.schemas import ERRORS, PageIn, page

from . import grants, selectors, services, sheets
from .choices import LabelSheetFormat, NetContentUnit, ProductCategory, ProductStatus
from .facts import amount_text, facts_current
from .models import Batch, Item, LabelSheet, PartnerGrant, Product, ProductFacts, ProductImage

router = Router(tags=["catalog"])


def _link(obj: Product | Batch | Item) -> str:
    return obj.digital_link.uri(public_origin())


def _coordinate(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _signed_facts(product: Product) -> ProductFacts | None:
    # Read once per product for both fields of the answer.
    if not hasattr(product, "_signed_facts"):
        product._signed_facts = facts_current(product)  # type: ignore[attr-defined]
    return product._signed_facts  # type: ignore[attr-defined]


class ProductImageOut(Schema):
    id: int
    url: str
    sha256: str
    position: int

    @staticmethod
    def resolve_url(obj: ProductImage) -> str:
        return obj.image.url


class ProductOut(Schema):
    id: int
    gtin: str = Field(examples=["06901234567892"])
    name: str
    category: str
    origin_region: str
    # Decimal degrees as strings: never a float that silently loses digits.
    origin_latitude: str | None = Field(examples=["27.800000"])
    origin_longitude: str | None = Field(examples=["99.700000"])
    description: str
    origin_place: str
    net_content_amount: str | None = Field(examples=["500"])
    net_content_unit: str
    shelf_life_days: int | None
    ingredients: str
    status: str
    digital_link: str
    facts_version: int | None = Field(description="the latest signed version of the facts (None: a draft)")
    facts_leaf_hash: str | None = Field(description="its log entry's leaf hash (the proof: /api/v1/log/…)")
    images: list[ProductImageOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_origin_latitude(obj: Product) -> str | None:
        return _coordinate(obj.origin_latitude)

    @staticmethod
    def resolve_origin_longitude(obj: Product) -> str | None:
        return _coordinate(obj.origin_longitude)

    @staticmethod
    def resolve_digital_link(obj: Product) -> str:
        return _link(obj)

    @staticmethod
    def resolve_net_content_amount(obj: Product) -> str | None:
        return amount_text(obj.net_content_amount)

    @staticmethod
    def resolve_facts_version(obj: Product) -> int | None:
        current = _signed_facts(obj)
        return current.version if current else None

    @staticmethod
    def resolve_facts_leaf_hash(obj: Product) -> str | None:
        current = _signed_facts(obj)
        return current.ledger_leaf_hash if current else None


class ProductUpdateIn(Schema):
    """A product's facts: checked, and signed by the merchant's key when the product is published (and on every
    change after that). Check `GET /products/{id}/origin-check` before publishing."""

    name: str = Field(max_length=128)
    category: ProductCategory
    origin_region: str = Field(max_length=128)
    description: str = ""
    origin_latitude: Decimal | None = Field(None, examples=["27.8"])
    origin_longitude: Decimal | None = Field(None, examples=["99.7"])
    origin_place: str = Field("", max_length=128, examples=["尼西乡松茸山"])
    net_content_amount: Decimal | None = Field(None, examples=["250"])
    net_content_unit: NetContentUnit | Literal[""] = ""
    shelf_life_days: int | None = Field(None, examples=[5])
    ingredients: str = ""


class ProductIn(ProductUpdateIn):
    gtin: str = Field(examples=["6901234567892"], description="GTIN-8/12/13/14; stored as GTIN-14")


class ProductStatusIn(Schema):
    status: ProductStatus


class BatchOut(Schema):
    id: int
    product_id: int
    gtin: str
    lot: str
    production_date: date
    expiry_date: date | None
    quantity: int
    digital_link: str

    @staticmethod
    def resolve_gtin(obj: Batch) -> str:
        return obj.product.gtin

    @staticmethod
    def resolve_digital_link(obj: Batch) -> str:
        return _link(obj)


class BatchIn(Schema):
    lot: str = Field(max_length=20, examples=["L20260701"])
    production_date: date
    expiry_date: date | None = None
    quantity: int


class ItemOut(Schema):
    id: int
    serial: str
    digital_link: str

    @staticmethod
    def resolve_digital_link(obj: Item) -> str:
        return _link(obj)


class ItemPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ItemOut]


class ItemsIn(Schema):
    count: int = Field(description="how many serialized items to mint (1–5000)")


class GrantOut(Schema):
    id: int
    owner: str
    owner_name: str
    partner: str
    partner_name: str
    scope: str = Field(description="product, lot, or all (a grant made before scopes, ADR 0039)")
    gtin: str | None
    lot: str | None
    ends_on: date | None
    granted_at: datetime
    state: str = Field(description="active, expired or revoked")
    active: bool

    @staticmethod
    def resolve_owner(obj: PartnerGrant) -> str:
        return obj.owner.slug

    @staticmethod
    def resolve_owner_name(obj: PartnerGrant) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_partner(obj: PartnerGrant) -> str:
        return obj.partner.slug

    @staticmethod
    def resolve_partner_name(obj: PartnerGrant) -> str:
        return obj.partner.name

    @staticmethod
    def resolve_scope(obj: PartnerGrant) -> str:
        return "all" if obj.legacy_all_products else "lot" if obj.batch_id else "product"

    @staticmethod
    def resolve_gtin(obj: PartnerGrant) -> str | None:
        product = obj.product or (obj.batch.product if obj.batch else None)
        return product.gtin if product else None

    @staticmethod
    def resolve_lot(obj: PartnerGrant) -> str | None:
        return obj.batch.lot if obj.batch else None

    @staticmethod
    def resolve_granted_at(obj: PartnerGrant) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_state(obj: PartnerGrant) -> str:
        return grants.grant_state(obj)

    @staticmethod
    def resolve_active(obj: PartnerGrant) -> bool:
        return grants.grant_state(obj) == "active"


class GrantIn(Schema):
    product_ids: list[int] = Field(default_factory=list, description="products covered whole (all their lots)")
    batch_ids: list[int] = Field(default_factory=list, description="single lots")
    ends_on: date = Field(description="the grant's last day (China Standard Time)")


class PartnerOut(Schema):
    slug: str
    name: str
    kind: str
    uscc: str | None
    region: str


def _product_fields(payload: ProductUpdateIn) -> dict[str, Any]:
    fields = payload.model_dump()
    fields["category"] = str(payload.category.value)
    fields["net_content_unit"] = str(payload.net_content_unit)
    return fields


@router.get("/products", response={200: list[ProductOut], **ERRORS}, summary="List the caller's products")
def product_list(request: HttpRequest) -> Any:
    return selectors.product_list(actor=actor_of(request)).prefetch_related("images")


@router.post("/products", response={201: ProductOut, **ERRORS}, summary="Register a product")
def product_register(request: HttpRequest, payload: ProductIn) -> Any:
    product = services.product_register(actor=actor_of(request), **_product_fields(payload))
    return Status(201, product)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="One product")
def product_get(request: HttpRequest, product_id: int) -> Any:
    return selectors.product_get(actor=actor_of(request), product_id=product_id)


@router.put("/products/{product_id}", response={200: ProductOut, **ERRORS}, summary="Replace a product's fields")
def product_update(request: HttpRequest, product_id: int, payload: ProductUpdateIn) -> Any:
    return services.product_update(actor=actor_of(request), product_id=product_id, **_product_fields(payload))


@router.post("/products/{product_id}/status", response={200: ProductOut, **ERRORS}, summary="Publish, delist or relist")
def product_set_status(request: HttpRequest, product_id: int, payload: ProductStatusIn) -> Any:
    return services.product_set_status(actor=actor_of(request), product_id=product_id, status=str(payload.status.value))


@router.post(
    "/products/{product_id}/images", response={201: ProductImageOut, **ERRORS}, summary="Upload a photo (multipart)"
)
def product_image_add(request: HttpRequest, product_id: int, image: File[UploadedFile]) -> Any:
    added = services.product_image_add(actor=actor_of(request), product_id=product_id, data=image.read())
    return Status(201, added)


@router.get("/products/{product_id}/batches", response={200: list[BatchOut], **ERRORS}, summary="A product's lots")
def batch_list(request: HttpRequest, product_id: int) -> Any:
    actor = actor_of(request)
    product = selectors.product_get(actor=actor, product_id=product_id)
    return selectors.batch_list(actor=actor, product_id=product.pk)


@router.post("/products/{product_id}/batches", response={201: BatchOut, **ERRORS}, summary="Create a lot")
def batch_create(request: HttpRequest, product_id: int, payload: BatchIn) -> Any:
    batch = services.batch_create(actor=actor_of(request), product_id=product_id, **payload.model_dump())
    return Status(201, batch)


@router.get("/batches/{batch_id}", response={200: BatchOut, **ERRORS}, summary="One lot")
def batch_get(request: HttpRequest, batch_id: int) -> Any:
    return selectors.batch_get(actor=actor_of(request), batch_id=batch_id)


@router.post("/batches/{batch_id}/items", response={201: list[ItemOut], **ERRORS}, summary="Mint serialized items")
def items_generate(request: HttpRequest, batch_id: int, payload: ItemsIn) -> Any:
    items = services.items_generate(actor=actor_of(request), batch_id=batch_id, count=payload.count)
    return Status(201, items)


@router.get("/batches/{batch_id}/items", response={200: ItemPageOut, **ERRORS}, summary="A lot's items, paged")
def item_list(request: HttpRequest, batch_id: int, params: Query[PageIn]) -> Any:
    actor = actor_of(request)
    batch = selectors.batch_get(actor=actor, batch_id=batch_id)
    return page(selectors.item_list(actor=actor, batch_id=batch.pk).select_related("batch__product"), params)


class LabelPagesIn(Schema):
    first: int | None = Field(None, ge=1, description="first page of the sheet to draw (1-based; default 1)")
    last: int | None = Field(None, ge=1, description="last page to draw (default: the sheet's last)")


def _labels_now(request: HttpRequest, batch_id: int, fmt: str, pages: LabelPagesIn) -> HttpResponse:
    name, content_type, content = sheets.label_sheet_draw(
        actor=actor_of(request), batch_id=batch_id, fmt=fmt, first_page=pages.first, last_page=pages.last
    )
    return HttpResponse(content, content_type=content_type,
                        headers={"Content-Disposition": content_disposition_header(as_attachment=True, filename=name)})


@router.get(
    "/batches/{batch_id}/labels.svg",
    response={200: None, **ERRORS},
    summary="Label sheet (SVG), at most 10 pages at once",
    openapi_extra={"responses": {200: {"description": "A4 sheets of QR labels", "content": {"image/svg+xml": {}}}}},
)
def labels_svg(request: HttpRequest, batch_id: int, pages: Query[LabelPagesIn]) -> HttpResponse:
    return _labels_now(request, batch_id, LabelSheetFormat.SVG, pages)


@router.get(
    "/batches/{batch_id}/labels.pdf",
    response={200: None, **ERRORS},
    summary="Label sheet (PDF), at most 10 pages at once",
    openapi_extra={"responses": {200: {"description": "A4 sheets of QR labels", "content": {"application/pdf": {}}}}},
)
def labels_pdf(request: HttpRequest, batch_id: int, pages: Query[LabelPagesIn]) -> HttpResponse:
    return _labels_now(request, batch_id, LabelSheetFormat.PDF, pages)


class LabelSheetIn(Schema):
    format: LabelSheetFormat = LabelSheetFormat.PDF
    first_page: int | None = Field(None, ge=1)
    last_page: int | None = Field(None, ge=1)


class LabelSheetOut(Schema):
    id: int
    batch_id: int
    format: str
    first_page: int
    last_page: int
    pages: int
    pages_done: int
    status: str = Field(description="requested, running, done, failed or expired")
    error_code: str
    error_message: str
    size: int
    sha256: str
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_pages(obj: LabelSheet) -> int:
        return obj.page_count


@router.post(
    "/batches/{batch_id}/label-sheets", response={202: LabelSheetOut, **ERRORS},
    summary="Ask for a label sheet file, drawn in the background",
)
def label_sheet_request(request: HttpRequest, batch_id: int, payload: LabelSheetIn) -> Any:
    sheet = sheets.label_sheet_request(
        actor=actor_of(request), batch_id=batch_id, fmt=payload.format, first_page=payload.first_page,
        last_page=payload.last_page,
    )
    return Status(202, sheet)


@router.get("/label-sheets/{sheet_id}", response={200: LabelSheetOut, **ERRORS}, summary="A label sheet job")
def label_sheet_get(request: HttpRequest, sheet_id: int) -> Any:
    return sheets.label_sheet_get(actor=actor_of(request), sheet_id=sheet_id)


@router.get(
    "/label-sheets/{sheet_id}/file",
    response={200: None, **ERRORS},
    summary="A finished label sheet's file (409 until it is done)",
    openapi_extra={"responses": {200: {"description": "the sheet", "content": {"application/pdf": {},
                                                                            "image/svg+xml": {}}}}},
)
def label_sheet_file(request: HttpRequest, sheet_id: int) -> HttpResponseBase:
    sheet, file = sheets.label_sheet_open(actor=actor_of(request), sheet_id=sheet_id)
    return FileResponse(file, as_attachment=True, filename=sheets.label_sheet_filename(sheet),
                        content_type=sheets.CONTENT_TYPES[LabelSheetFormat(sheet.format)])


@router.get("/partners/search", response={200: list[PartnerOut], **ERRORS}, summary="Find a partner by name or USCC")
def partner_search(request: HttpRequest, q: str = "") -> Any:
    return grants.partner_search(actor=actor_of(request), query=q)


@router.post(
    "/partners/{partner}/grant",
    response={201: list[GrantOut], **ERRORS},
    summary="Let a partner (slug or USCC) record events about some products or lots until a date",
)
def partner_grant(request: HttpRequest, partner: str, payload: GrantIn) -> Any:
    made = grants.partner_grant(
        actor=actor_of(request), partner=partner, product_ids=payload.product_ids, batch_ids=payload.batch_ids,
        ends_on=payload.ends_on,
    )
    return Status(201, made)


@router.delete(
    "/partners/{partner}/grant", response={204: None, **ERRORS}, summary="Withdraw all of a partner's grants"
)
def partner_revoke(request: HttpRequest, partner: str) -> Any:
    grants.partner_revoke(actor=actor_of(request), partner_slug=partner)
    return Status(204, None)


@router.get("/grants/given", response={200: list[GrantOut], **ERRORS}, summary="Grants the caller gave")
def grants_given(request: HttpRequest) -> Any:
    return grants.partner_grant_list(actor=actor_of(request))


@router.get("/grants/received", response={200: list[GrantOut], **ERRORS}, summary="Grants the caller received")
def grants_received(request: HttpRequest) -> Any:
    return grants.grants_received_list(actor=actor_of(request))


@router.delete("/grants/{grant_id}", response={204: None, **ERRORS}, summary="Withdraw one grant")
def grant_revoke(request: HttpRequest, grant_id: int) -> Any:
    grants.partner_grant_revoke(actor=actor_of(request), grant_id=grant_id)
    return Status(204, None)
