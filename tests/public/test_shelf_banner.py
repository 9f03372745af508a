"""The scan page says the lot's shelf-life state in words at the top, and published pages keep it right by
recomputing it in the page from the expiry date (allowed by the policy's hash of that script)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from xinren.catalog.shelf_life import local_date
from xinren.web.public import pages
from xinren.web.public.pages import inline_scripts
from xinren.web.security import _sha256_source

from ..factories import BatchFactory, ItemFactory

pytestmark = pytest.mark.django_db


def _page(product, *, days_left: int | None) -> str:  # type: ignore[no-untyped-def]
    return _response(product, days_left=days_left).content.decode()


def _response(product, *, days_left: int | None):  # type: ignore[no-untyped-def]
    today = local_date(timezone.now())
    expiry = today + dt.timedelta(days=days_left) if days_left is not None else None
    batch = BatchFactory(product=product, lot="B1", production_date=today - dt.timedelta(days=20), expiry_date=expiry)
    ItemFactory(batch=batch, serial="S1")
    return Client().get(f"/01/{product.gtin}/10/B1/21/S1")


def _shown(html: str) -> list[str]:
    return re.findall(r'<div class="notice \w+" data-s="(\w+)">', html.split('id="shelf"', 1)[1].split("</section>")[0])


@pytest.mark.parametrize(
    ("days_left", "state", "words"),
    [(10, "fresh", "在保质期内（至 <time datetime=\"{date}\">{date}</time>）"), (1, "expiring", "即将过期"),
     (0, "expiring", "即将过期"),
     (-1, "expired", "已过保质期")],
)
def test_the_banner_says_the_state_in_words_before_anything_else(product, days_left, state, words):
    # when
    html = _page(product, days_left=days_left)
    # then
    expiry = (local_date(timezone.now()) + dt.timedelta(days=days_left)).isoformat()
    assert _shown(html) == [state]
    assert words.format(date=expiry) in html
    assert html.index('id="shelf"') < html.index('class="card hero"')
    assert f'data-expiry="{expiry}" data-warn="3"' in html


def test_a_lot_without_an_expiry_date_has_no_banner(product):
    html = _page(product, days_left=None)
    assert 'id="shelf"' not in html


def test_the_recomputing_script_is_in_the_page_and_allowed_by_the_policy(product):
    # when
    response = _response(product, days_left=5)
    # then
    script = inline_scripts()["shelf_life"]
    assert f"<script>{script}</script>" in response.content.decode()
    assert _sha256_source(script) in response["Content-Security-Policy"]


def test_the_sold_notice_waits_hidden_on_the_item_page(product):
    html = _page(product, days_left=5)
    assert '<section id="sold" class="notice warn" hidden>' in html
    assert html.index('id="sold"') < html.index('class="card hero"')


_NODE_HARNESS = """
const script = require("fs").readFileSync(process.argv[1], "utf8");
const [now, expiry, warn] = process.argv.slice(2);
const divs = ["fresh", "expiring", "expired"].map(k => ({hidden: false, getAttribute: () => k, k}));
const left = {textContent: ""};
const shelf = {getAttribute: a => (a === "data-expiry" ? expiry : warn), querySelectorAll: () => divs,
               querySelector: () => left};
global.document = {getElementById: () => shelf};
Date.now = () => Date.parse(now);
eval(script);
console.log(divs.filter(d => !d.hidden).map(d => d.k).join(",") + " " + left.textContent);
"""


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        ("2026-12-02T15:59:59Z", "fresh 3"),  # 12-02 23:59:59 in Beijing
        ("2026-12-02T16:00:00Z", "expiring 2"),  # 12-03 00:00
        ("2026-12-05T15:59:59Z", "expiring 0"),  # the expiry day's last second
        ("2026-12-05T16:00:00Z", "expired -1"),  # 12-06 00:00 in Beijing, still 12-05 in UTC
    ],
)
def test_the_page_script_turns_the_state_at_midnight_in_beijing(now, shown):
    # the same rule as catalog/shelf_life.py, run on the reader's clock (skipped without Node.js)
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs Node.js to run the page's script")
    script = Path(pages.TEMPLATES_DIR / "_shelf_life.js")
    result = subprocess.run([node, "-e", _NODE_HARNESS, str(script), now, "2026-12-05", "3"],
                            capture_output=True, text=True, check=True, timeout=30)
    assert result.stdout.strip() == shown
