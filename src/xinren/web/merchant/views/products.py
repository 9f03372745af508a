"""Products: list, register, detail, edit, publish/delist and photos."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog import selectors, services
from xinren.catalog.choices import PRODUCT_TRANSITIONS, ProductStatus
from xinren.catalog.facts import amount_text, copy_findings
from xinren.catalog.facts_section import facts_section_for
from xinren.catalog.models import Batch, Product
from xinren.catalog.suspensions import suspensions_open_for
from xinren.core.errors import DomainError, NotFound
from xinren.trace.origin import product_origin_check

from ..console import console_view, form_error, render_console
from ..forms import ImageUploadForm, ProductCreateForm, ProductEditForm

PAGE_SIZE = 50


@console_view(kinds=CATALOG_KINDS)
def product_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = Paginator(selectors.product_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    suspended = suspensions_open_for(product_ids=[product.pk for product in page.object_list])
    return render_console(request, actor, "merchant/product_list.html", {"page": page, "suspended": suspended})


@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def product_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ProductCreateForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_register(actor=actor, gtin=form.cleaned_data["gtin"], **form.facts())
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("商品已登记。接下来可以上传图片、创建批次。"))
            return redirect("merchant:product_detail", product_id=product.pk)
    elif form.errors:
        status = 422
    return render_console(request, actor, "merchant/product_form.html", {"form": form}, status=status)


def _detail_context(actor: Actor, product: Product, image_form: ImageUploadForm) -> dict[str, Any]:
    _product, conflicts = product_origin_check(actor=actor, product_id=product.pk)
    return {
        "product": product,
        "facts": facts_section_for(product=product),
        "origin_conflicts": conflicts,
        "copy_findings": copy_findings(name=product.name, description=product.description, category=product.category),
        "images": product.images.all(),
        "batches": selectors.batch_list(actor=actor, product_id=product.pk),
        "transitions": [ProductStatus(s) for s in sorted(PRODUCT_TRANSITIONS.get(product.status, ()))],
        "image_form": image_form,
    }


@console_view(kinds=CATALOG_KINDS)
def product_detail(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = selectors.product_get(actor=actor, product_id=product_id)
    context = _detail_context(actor, product, ImageUploadForm())
    return render_console(request, actor, "merchant/product_detail.html", context)


@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def product_edit(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = selectors.product_get(actor=actor, product_id=product_id)
    initial = {name: getattr(product, name) for name in ProductEditForm.base_fields}
    initial["net_content_amount"] = amount_text(product.net_content_amount)
    form = ProductEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(actor=actor, product_id=product.pk, **form.facts())
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("商品信息已保存") if product.status == ProductStatus.DRAFT
                             else _("商品信息已保存，并已由商家签名（新的一版，旧版保留在修改记录中）"))
            return redirect("merchant:product_detail", product_id=product.pk)
    elif form.errors:
        status = 422
    context = {"form": form, "product": product, "signs": product.status != ProductStatus.DRAFT}
    return render_console(request, actor, "merchant/product_form.html", context, status=status)


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def product_status(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    try:
        product = services.product_set_status(
            actor=actor, product_id=product_id, status=request.POST.get("status", "")
        )
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("商品状态已变更为：%(status)s") % {"status": product.get_status_display()})
    return redirect("merchant:product_detail", product_id=product_id)


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def product_image_add(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = selectors.product_get(actor=actor, product_id=product_id)
    form = ImageUploadForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            services.product_image_add(actor=actor, product_id=product.pk, data=form.cleaned_data["image"].read())
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("图片已上传（已去除元数据）"))
            return redirect("merchant:product_detail", product_id=product.pk)
    context = _detail_context(actor, product, form)
    return render_console(request, actor, "merchant/product_detail.html", context, status=status)


DRAFT_LABELS_CONFIRM = "confirm_draft"


def draft_labels_confirm(request: HttpRequest, actor: Actor, batch: Batch, extension: str) -> HttpResponse | None:
    """The confirm step before labels of a draft product are downloaded, or None to go ahead.

    A draft's codes are genuine but not public: scanned, they say "此商品已登记，尚未上架" until it is published.
    """
    if batch.product.status != ProductStatus.DRAFT or request.GET.get(DRAFT_LABELS_CONFIRM) == "1":
        return None
    context = {"batch": batch, "product": batch.product, "extension": extension,
               "confirm_query": f"?{DRAFT_LABELS_CONFIRM}=1"}
    return render_console(request, actor, "merchant/labels_draft_confirm.html", context)
