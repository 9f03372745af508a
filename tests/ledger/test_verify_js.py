"""verify.js in headless Chromium: a genuine bundle verifies on both paths, every tampering is refused.

Needs Debian's chromium (.ci/run installs it when missing); outside CI the tests skip with a reason without it.
"""

from __future__ import annotations

import os
import re

import pytest

from .browser_harness import PAGE, chromium, dump_dom, served
from .item_bundle_fixture import TAMPERINGS, make_item_bundle, tampered

pytestmark = pytest.mark.skipif(
    chromium() is None and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium); .ci/run installs it on CI",
)


@pytest.fixture(scope="module")
def bundle() -> tuple[str, str]:
    return make_item_bundle(records=12)


def _verdict(dom: str) -> dict[str, str]:
    match = re.search(r'<section id="verify"([^>]*)>', dom)
    assert match is not None, dom[:2000]
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(1)))


@pytest.mark.parametrize(("fragment", "engine"), [("#verify", "webcrypto"), ("#verify-fallback", "fallback")])
def test_a_genuine_bundle_verifies_in_the_browser(bundle, tmp_path, fragment, engine):
    # given
    text, vkey = bundle
    with served(tmp_path, text, vkey) as base:
        # when
        dom = dump_dom(base + "/index.html" + fragment)
    # then
    verdict = _verdict(dom)
    assert verdict["verdict"] == "ok", dom[-3000:]
    assert verdict["engine"] == engine
    assert "✓ 全部 14 条记录已在您的手机上验证" in dom
    assert dom.count('<li data-index="') == 14
    assert "步骤：采收 · 时间：2026-11-01 06:30<" in dom and "签名方：楚雄山珍" in dom and "签名方：日志登记处" in dom


@pytest.mark.parametrize("how", TAMPERINGS)
@pytest.mark.parametrize("fragment", ["#verify", "#verify-fallback"])
def test_a_tampered_bundle_is_refused_in_the_browser(bundle, tmp_path, how, fragment):
    # given
    text, vkey = bundle
    with served(tmp_path, tampered(text, how), vkey) as base:
        # when
        dom = dump_dom(base + "/index.html" + fragment)
    # then
    verdict = _verdict(dom)
    assert verdict["verdict"] == "fail", dom[-3000:]
    expected = {"statement": "inclusion", "path": "inclusion", "checkpoint": "checkpoint", "key": "signature",
                "dropped_registration": "keys"}[how]
    assert verdict["check"] == expected
    assert "验证未通过" in dom


def test_a_page_whose_log_key_differs_from_the_bundle_is_refused(bundle, tmp_path):
    text, vkey = bundle
    with served(tmp_path, text, vkey.replace("xinren.test/log", "other.test/log")) as base:
        dom = dump_dom(base + "/index.html#verify")
    assert _verdict(dom)["check"] == "log_key"


def test_the_english_page_verifies_in_english(bundle, tmp_path):
    # given the page in English
    text, vkey = bundle
    page = PAGE.replace('lang="zh-hans"', 'lang="en"').format(vkey=vkey, extra="")
    with served(tmp_path, text, vkey, page=page) as base:
        dom = dump_dom(base + "/index.html#verify")
    assert _verdict(dom)["verdict"] == "ok"
    assert "✓ All 14 records verified on your phone" in dom
    assert "step: harvested" in dom and "signed by: 楚雄山珍" in dom and "the log's registrar" in dom


def test_the_english_page_says_why_it_failed_in_english(bundle, tmp_path):
    text, vkey = bundle
    page = PAGE.replace('lang="zh-hans"', 'lang="en"').format(vkey=vkey, extra="")
    with served(tmp_path, tampered(text, "statement"), vkey, page=page) as base:
        dom = dump_dom(base + "/index.html#verify")
    assert "⚠ Verification failed (inclusion, log entry 2): the inclusion proof fails" in dom
