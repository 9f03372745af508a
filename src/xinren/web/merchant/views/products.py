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
from xinren.catalog.models import Product
from xinren.core.errors import DomainError, NotFound

from ..console import console_view, form_error, render_console
from ..forms import ImageUploadForm, ProductCreateForm, ProductEditForm

PAGE_SIZE = 50


@console_view(kinds=CATALOG_KINDS)
def product_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = Paginator(selectors.product_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_console(request, actor, "merchant/product_list.html", {"page": page})


@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def product_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ProductCreateForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            product = services.product_register(
                actor=actor,
                gtin=data["gtin"],
                name=data["name"],
                category=data["category"],
                origin_region=data["origin_region"],
                description=data["description"],
                origin_latitude=data["origin_latitude"],
                origin_longitude=data["origin_longitude"],
            )
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("商品已登记。接下来可以上传图片、创建批次。"))
            return redirect("merchant:product_detail", product_id=product.pk)
    elif form.errors:
        status = 422
    return render_console(request, actor, "merchant/product_form.html", {"form": form}, status=status)


def _detail_context(actor: Actor, product: Product, image_form: ImageUploadForm) -> dict[str, Any]:
    return {
        "product": product,
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
    form = ProductEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.product_update(
                actor=actor,
                product_id=product.pk,
                name=data["name"],
                category=data["category"],
                origin_region=data["origin_region"],
                description=data["description"],
                origin_latitude=data["origin_latitude"],
                origin_longitude=data["origin_longitude"],
            )
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("商品信息已保存"))
            return redirect("merchant:product_detail", product_id=product.pk)
    elif form.errors:
        status = 422
    context = {"form": form, "product": product}
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
