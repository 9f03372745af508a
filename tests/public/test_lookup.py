"""The home page's box: whatever is printed under a code, in any of the forms people type it (issue 12)."""

from __future__ import annotations

import string

import pytest
from biip.checksums import gs1_standard_check_digit
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from xinren.catalog.gs1 import DigitalLink
from xinren.web.public.lookup import lookup_candidates

from ..factories import BatchFactory, ItemFactory, ProductFactory

GTIN = "06971234567895"
LOT, SERIAL = "NH20261204", "3AGNVUW6VS"
ITEM = f"/01/{GTIN}/10/{LOT}/21/{SERIAL}"

PRINTED = [
    f"(01){GTIN}(10){LOT}(21){SERIAL}",
    f"(01) {GTIN} (10) {LOT} (21) {SERIAL}",
    f"  (01) 0697 1234 5678 95 (10) {LOT} (21) {SERIAL}  ",
    f"01{GTIN}10{LOT}21{SERIAL}",
    f"01 {GTIN} 10 {LOT} 21 {SERIAL}",
    f"01{GTIN} 10{LOT} 21{SERIAL}",
    f"01{GTIN}\x1d10{LOT}\x1d21{SERIAL}",
    f"01{GTIN}<GS>10{LOT}<GS>21{SERIAL}",
    f"]d201{GTIN}10{LOT}\x1d21{SERIAL}",
    f"]Q3(01){GTIN}(10){LOT}(21){SERIAL}",
    f"]C101{GTIN}1726123110{LOT}\x1d21{SERIAL}",
    f"(01){GTIN}(17)261231(10){LOT}(21){SERIAL}",
    "（０１）０６９７１２３４５６７８９５（１０）ＮＨ２０２６１２０４（２１）３ＡＧＮＶＵＷ６ＶＳ",
    f"https://id.xinren.example{ITEM}",
    f"http://127.0.0.1:8123{ITEM}?linkType=all",
    f"https://qr.other-brand.cn/dl{ITEM}/",
    f"id.xinren.example{ITEM}",
    ITEM,
    f"{ITEM}/",
]


@pytest.mark.parametrize("text", PRINTED)
def test_every_printed_form_reads_as_the_item(text: str):
    assert lookup_candidates(text)[0] == DigitalLink(gtin=GTIN, lot=LOT, serial=SERIAL)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("6971234567895", f"/01/{GTIN}"),
        ("697-1234-567895", f"/01/{GTIN}"),
        (GTIN, f"/01/{GTIN}"),
        ("12345670", "/01/00000012345670"),
        ("036000291452", "/01/00036000291452"),
        (f"(01){GTIN}", f"/01/{GTIN}"),
        (f"(01){GTIN}(10)A/B", f"/01/{GTIN}/10/A%2FB"),
        (f"/01/{GTIN}/10/A%2FB", f"/01/{GTIN}/10/A%2FB"),
    ],
)
def test_gtins_and_lots_read_as_their_pages(text: str, path: str):
    assert lookup_candidates(text)[0].path == path


@pytest.mark.parametrize(
    "text", ["", "hello", "06971234567891", "(01)06971234567891(21)X", "(99)abc", "/shop/", "https://example.org/x"]
)
def test_what_is_not_a_code_reads_as_nothing(text: str):
    assert lookup_candidates(text) == []


_VALUE = st.text(alphabet=string.ascii_uppercase + string.digits + "-.", min_size=1, max_size=20)


@settings(max_examples=150, deadline=None)
@given(
    body=st.text(alphabet=string.digits, min_size=12, max_size=12),
    lot=_VALUE,
    serial=_VALUE,
    spaced=st.booleans(),
    parenthesised=st.booleans(),
    full_width=st.booleans(),
)
def test_any_item_reads_back_in_any_form(
    body: str, lot: str, serial: str, spaced: bool, parenthesised: bool, full_width: bool
):
    gtin = "0" + body + str(gs1_standard_check_digit("0" + body))
    link = DigitalLink(gtin=gtin, lot=lot, serial=serial)
    sep = " " if spaced else ""
    text = f"(01){sep}{gtin}{sep}(10){sep}{lot}{sep}(21){sep}{serial}" if parenthesised else (
        f"01{gtin}{sep}10{lot}{sep}21{serial}"
    )
    if full_width:
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    candidates = lookup_candidates(text)
    # unseparated, a lot may hold "21" itself: the right reading is among the candidates (the lookup asks the data)
    assert link in candidates
    if parenthesised or spaced:
        assert candidates == [link]


@pytest.mark.django_db
def test_the_box_goes_to_the_registered_item_whatever_the_form(client: Client):
    # given an item whose lot holds "21", so that the unseparated string can be split two ways
    product = ProductFactory(gtin=GTIN)
    batch = BatchFactory(product=product, lot="NH2110")
    ItemFactory(batch=batch, serial="AB21C")
    # when typed without separators
    response = client.get("/lookup/", {"code": f"01{GTIN}10NH211021AB21C"})
    # then the registered reading is chosen (a 302: the choice depends on the data)
    assert (response.status_code, response["Location"]) == (302, f"/01/{GTIN}/10/NH2110/21/AB21C")
    # and the printed text goes straight there
    response = client.get("/lookup/", {"code": f"(01) {GTIN} (10) NH2110 (21) AB21C"})
    assert (response.status_code, response["Location"]) == (301, f"/01/{GTIN}/10/NH2110/21/AB21C")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_an_unknown_code_goes_to_the_not_registered_page_and_nonsense_gets_help(client: Client):
    response = client.get("/lookup/", {"code": f"(01){GTIN}(21)FAKE0001"}, follow=True)
    assert response.status_code == 404 and "此码未在平台登记" in response.content.decode()
    response = client.get("/lookup/", {"code": "不是码"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "没有读懂这个码" in html and "(01)06971234567895(10)NH20261204(21)3AGNVUW6VS" in html
