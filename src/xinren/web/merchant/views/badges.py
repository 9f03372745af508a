"""嵌入徽章: the merchant's embeddable badges with copyable snippets (docs/badges.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog import selectors as catalog_selectors
from xinren.catalog.choices import ProductStatus
from xinren.trust import selectors as trust_selectors
from xinren.web.badges import reads

from ..console import console_view, render_console

PRODUCTS_SHOWN = 100


def _badge(title: str, image: str, evidence: str, alt: str) -> dict[str, str]:
    image_url, evidence_url = reads.public_url(image), evidence
    return {"title": title, "image": image_url, "evidence": evidence_url, "alt": alt}


@console_view(role=Role.VIEWER, kinds=CATALOG_KINDS)
def badge_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Each badge the merchant may show elsewhere: one per listed product's score, 信任购, regional programmes."""
    badges: list[dict[str, Any]] = []
    programmes: dict[str, str] = {}
    listed = catalog_selectors.product_list(actor=actor).filter(status=ProductStatus.ACTIVE)[:PRODUCTS_SHOWN]
    for product in listed:
        badges.append(
            _badge(
                _("%(name)s 的信任分") % {"name": product.name},
                f"/badges/score/{product.gtin}.svg",
                reads.public_url(f"/01/{product.gtin}"),
                _("%(name)s 的信任分") % {"name": product.name},
            )
        )
        batch = product.batches.order_by("-created_at", "-pk").first()
        section = trust_selectors.labels_for(product=product, batch=batch)
        for badge in section["badges"] if section else []:
            programmes[badge["code"]] = badge["name"]
    membership = reads.xinrengou_membership(actor.organization.slug)
    if membership is not None:
        badges.append(
            _badge(
                _("信任购成员"),
                f"/badges/xinrengou/{actor.organization.slug}.svg",
                reads.guarantee_url(membership.programme),
                _("信任购成员"),
            )
        )
    for code, name in sorted(programmes.items()):
        programme = reads.programme_read(code)
        if programme is not None:
            badges.append(
                _badge(
                    name,
                    f"/badges/programme/{code}.svg",
                    reads.public_url(f"/log/entry/{programme.ledger_leaf_hash}"),
                    name,
                )
            )
    return render_console(request, actor, "merchant/badges.html", {"badges": badges})
