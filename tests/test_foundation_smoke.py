"""Smoke tests for the foundation pieces that everything else uses."""

import pytest

from xinren.accounts.uscc import uscc_check_char, uscc_is_valid
from xinren.catalog.gs1 import DigitalLink, digital_link_parse, gtin_normalize
from xinren.core.errors import InvalidInput

from .factories import make_gtin, make_uscc


def test_uscc_published_example_is_valid():
    # given a code printed on a real business licence example (GB 32100-2015 annex style)
    # when / then
    assert uscc_is_valid("91350100M000100Y43")


def test_uscc_wrong_check_char_is_refused():
    assert not uscc_is_valid("91350100M000100Y44")
    assert not uscc_is_valid("91350100M000100Y4")
    assert not uscc_is_valid("9135010OM000100Y43")  # letter O is not in the alphabet


def test_factory_uscc_is_valid():
    code = make_uscc()
    assert uscc_is_valid(code)
    assert uscc_check_char(code[:17]) == code[17]


def test_gtin13_normalises_to_gtin14():
    assert gtin_normalize("6901234567892") == "06901234567892"


def test_gtin_bad_check_digit_is_refused():
    with pytest.raises(InvalidInput) as exc:
        gtin_normalize("6901234567891")
    assert exc.value.code == "gtin.check_digit"


def test_digital_link_round_trip():
    gtin = make_gtin()
    link = DigitalLink(gtin=gtin, lot="L-1/2", serial="AB12")
    assert link.path == f"/01/{gtin}/10/L-1%2F2/21/AB12"
    assert digital_link_parse(link.path) == DigitalLink(gtin=gtin, lot="L-1/2", serial="AB12")


def test_digital_link_refuses_other_paths():
    with pytest.raises(InvalidInput):
        digital_link_parse("/02/06901234567892")
