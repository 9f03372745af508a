"""The pages pass their Content-Security-Policy, published files included; framing is refused; headers as documented.

The checker below does what a browser does with a policy's script-src and style-src: an inline `<script>` (one
that runs: no `src`, a JavaScript type) or `<style>` runs only when its nonce is the policy's or its SHA-256 is
listed. A page passes when every inline block on it would run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from django.test import Client

from xinren.accounts.models import User
from xinren.catalog.models import Item
from xinren.web.publishing import items_publish, page_dir
from xinren.web.security import HEADER

pytestmark = pytest.mark.django_db

_BLOCK = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.S | re.I)
_DATA_TYPES = ("application/json", "application/ld+json")


def _sources(policy: str, directive: str) -> list[str]:
    for part in policy.split(";"):
        name, *values = part.split()
        if name == directive:
            return values
    return []


def _blocked_blocks(html: str, policy: str) -> list[str]:
    """The inline blocks of `html` that `policy` would keep from running (what a browser reports as violations)."""
    blocked = []
    for match in _BLOCK.finditer(html):
        kind, attributes, text = match.group(1).lower(), match.group(2), match.group(3)
        if kind == "script" and ("src=" in attributes or any(t in attributes for t in _DATA_TYPES)):
            continue
        allowed = _sources(policy, f"{kind}-src")
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        if (nonce and f"'nonce-{nonce.group(1)}'" in allowed) or f"'sha256-{digest}'" in allowed:
            continue
        blocked.append(match.group(0)[:80])
    return blocked


def _meta_policy(html: str) -> str:
    match = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert match, "the page carries no policy of its own"
    return match.group(1).replace("&#x27;", "'").replace("&#39;", "'")


def test_the_checker_catches_an_injected_script():
    policy = "script-src 'self' 'nonce-abc'; style-src 'self'"
    html = '<script nonce="abc">ok()</script><script>alert(1)</script><script type="application/ld+json">{}</script>'
    assert _blocked_blocks(html, policy) == ["<script>alert(1)</script>"]


def test_consumer_pages_pass_their_policy_served_and_published(demo_world: Any):
    # given an item with every inline script (the scan counter, "the item you bought") and its published file
    item = Item.objects.select_related("batch__product").order_by("pk").first()
    assert item is not None
    items_publish(items=[item])
    published = (page_dir(item.digital_link) / "index.html").read_text()  # type: ignore[operator]
    # when Django serves the item, the product and the home page
    responses = [Client().get(path) for path in (item.digital_link.path, item.batch.product.digital_link.path, "/")]
    # then each passes both its header and its own <meta> policy, and the published file passes the latter
    for response in responses:
        html = response.content.decode()
        assert response.status_code == 200
        assert _blocked_blocks(html, response[HEADER]) == []
        assert _blocked_blocks(html, _meta_policy(html)) == []
        assert _sources(response[HEADER], "frame-ancestors") == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
    assert 'data-counter="' in published and "<script>" in published
    assert _blocked_blocks(published, _meta_policy(published)) == []


@pytest.mark.parametrize("path", [
    "/accounts/login/", "/admin/login/", "/community/", "/api/v1/docs", "/merchant/", "/merchant/products/",
    "/shop/",
])  # fmt: skip
def test_other_pages_pass_their_policy(demo_world: Any, path: str):
    # given the merchant owner of the demo mushroom shop, signed in
    client = Client()
    client.force_login(User.objects.get(username="mushroom"))
    # when
    response = client.get(path, follow=True)
    # then
    assert response.status_code == 200, path
    assert response[HEADER].startswith("default-src 'self'")
    assert _blocked_blocks(response.content.decode(), response[HEADER]) == []


def test_each_response_gets_its_own_nonce(client):
    first, second = client.get("/accounts/login/")[HEADER], client.get("/accounts/login/")[HEADER]
    assert _sources(first, "script-src")[1].startswith("'nonce-")
    assert _sources(first, "script-src")[1] != _sources(second, "script-src")[1]
