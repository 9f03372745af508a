"""One source of the public origin (core/origin.py): a changed port reaches QR payloads, JSON links, texts and the
printed demo URLs, while signed statements keep naming subjects by the resolver identity (ADR 0019)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from xinren.accounts.models import SandboxTextMessage
from xinren.accounts.signin import unlock_url
from xinren.accounts.smscodes import signin_code_request
from xinren.catalog.labels import label_sheet_svg, sheet_plan
from xinren.core.origin import public_origin, public_url, statement_subject_origin

from ..fixtures.api import call

pytestmark = pytest.mark.django_db

SERVED = "http://127.0.0.1:8123"
RESOLVER = "http://127.0.0.1:8000"


@pytest.fixture
def served_on_8123(settings):
    settings.XINREN_RESOLVER = RESOLVER
    settings.XINREN_PUBLIC_ORIGIN = SERVED
    return settings


def test_the_public_origin_defaults_to_the_resolver(settings):
    settings.XINREN_RESOLVER = "https://xinren.example"
    settings.XINREN_PUBLIC_ORIGIN = ""
    assert public_origin() == statement_subject_origin() == "https://xinren.example"
    assert public_url("/shop/") == "https://xinren.example/shop/"


def test_a_changed_port_reaches_the_qr_codes_on_label_sheets(client: Client, served_on_8123, merchant, merchant_key,
                                                              items):
    batch = items[0].batch
    # when
    svg = call(client, "GET", f"/batches/{batch.pk}/labels.svg", key=merchant_key).content.decode()
    # then the QR codes encode the served origin, not the resolver
    assert svg == label_sheet_svg(plan=sheet_plan(batch=batch), resolver=SERVED)
    assert svg != label_sheet_svg(plan=sheet_plan(batch=batch), resolver=RESOLVER)


def test_a_changed_port_reaches_json_links(client: Client, served_on_8123, merchant_key, items):
    body = call(client, "GET", f"/batches/{items[0].batch.pk}/items", key=merchant_key).json()
    links = [row["digital_link"] for row in body["items"]]
    assert links and all(link.startswith(f"{SERVED}/01/") for link in links)


def test_a_changed_port_reaches_texted_links(served_on_8123, consumer):
    assert unlock_url(user=consumer).startswith(f"{SERVED}/accounts/unlock/")
    signin_code_request(phone="13912345678", client="203.0.113.5")  # no account: the text links to sign-up
    assert f"{SERVED}/shop/signup/" in SandboxTextMessage.objects.get(phone="13912345678").body


def test_a_changed_port_reaches_the_printed_demo_urls(served_on_8123):
    out = io.StringIO()
    call_command("demo_urls", stdout=out)
    urls = re.findall(r"https?://[^\s/]+", out.getvalue())
    assert urls and set(urls) == {SERVED}
    out = io.StringIO()
    call_command("demo_urls", "--port", "8200", stdout=out)
    assert set(re.findall(r"https?://[^\s/]+", out.getvalue())) == {"http://127.0.0.1:8200"}


def test_statements_keep_the_resolver_identity(served_on_8123, product):
    assert statement_subject_origin() == RESOLVER
    assert product.digital_link.uri(statement_subject_origin()).startswith(f"{RESOLVER}/01/")


def _meta(html: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert found, key
    return found.group(1)


def test_link_previews_and_json_ld_use_the_public_origin_not_the_request_host(client: Client, settings, served_on_8123,
                                                                               product_on_sale):
    # given a request that names a host other than the one the platform serves
    settings.ALLOWED_HOSTS = ["shop.example"]
    path = f"/shop/products/{product_on_sale.pk}/"
    # when
    shop = client.get(path, HTTP_HOST="shop.example").content.decode()
    scan = client.get(f"/01/{product_on_sale.gtin}", HTTP_HOST="shop.example").content.decode()
    # then og:url and the JSON-LD offer link to the served origin, on the shop page as on the scan page
    assert _meta(shop, "og:url") == f"{SERVED}{path}"
    assert _meta(scan, "og:url") == f"{SERVED}/01/{product_on_sale.gtin}"
    for html in (shop, scan):
        assert f'"url": "{SERVED}{path}"' in html or f'"url":"{SERVED}{path}"' in html
        assert "shop.example" not in html and RESOLVER not in re.sub(r'<span class="code">[^<]*</span>', "", html)
