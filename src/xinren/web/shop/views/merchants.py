"""A merchant's shop page: who it is, its store trust index (信任指数), the licences it shows
(亮照亮证), what it sells, and its public record."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from xinren.accounts.choices import CATALOG_KINDS, OrganizationStatus
from xinren.accounts.models import Organization
from xinren.governance.selectors.record import public_record_for
from xinren.orders import selectors
from xinren.orders.stock import availability_for
from xinren.trust.radar import radar_svg
from xinren.trust.store_index import store_index_for
from xinren.verification.choices import CredentialStatus
from xinren.verification.models import Credential

from ..session import render_shop


def merchant_page(request: HttpRequest, slug: str) -> HttpResponse:
    organization = Organization.objects.filter(slug=slug, kind__in=CATALOG_KINDS).first()
    if organization is None:
        raise Http404
    offers = list(selectors.shop_offer_list().filter(merchant=organization))
    available = availability_for(offers)
    credentials = Credential.objects.filter(organization=organization, status=CredentialStatus.VERIFIED).order_by(
        "kind", "-valid_until"
    )
    index = store_index_for(merchant=organization)
    context = {
        "merchant": organization,
        "suspended": organization.status != OrganizationStatus.ACTIVE,
        "rows": [(offer, available[offer.pk]) for offer in offers],
        "credentials": credentials,
        "record": public_record_for(organization=organization),
        "index": index,
        "radar": radar_svg(index.axes),
    }
    return render_shop(request, "shop/merchant.html", context)
