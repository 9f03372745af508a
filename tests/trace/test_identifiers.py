"""EPC identifier parsing: SGTIN, LGTIN, SGTIN patterns, Digital Link URIs and paths, GLNs."""

from __future__ import annotations

import pytest

from xinren.core.errors import InvalidInput
from xinren.trace import errors
from xinren.trace.epcis.identifiers import EpcIdentifier, gln_from_location, gln_is_valid, identifier_parse


@pytest.mark.parametrize(
    ("uri", "gtin", "lot", "serial"),
    [
        # GTIN = indicator digit + company prefix + rest of the item reference + check digit.
        ("urn:epc:id:sgtin:0614141.107346.2017", "10614141073464", "", "2017"),
        ("urn:epc:id:sgtin:0614141.107346.%2F2017", "10614141073464", "", "/2017"),
        ("urn:epc:class:lgtin:4012345.012345.998877", "04012345123456", "998877", ""),
        ("urn:epc:idpat:sgtin:4012345.098765.*", "04012345987652", "", ""),
        ("https://id.gs1.org/01/00614141777778/10/987", "00614141777778", "987", ""),
        ("https://id.gs1.org/01/04012345666663", "04012345666663", "", ""),
        (
            "https://shop.example.cn/some/prefix/01/09520123456788/10/ABC%2F1/21/X%25Y?17=201231",
            "09520123456788",
            "ABC/1",
            "X%Y",
        ),
        ("http://127.0.0.1:8000/01/09520123456788/21/S1", "09520123456788", "", "S1"),
        ("/01/9520123456788", "09520123456788", "", ""),
        ("/01/09520123456788/10/L1/21/S1", "09520123456788", "L1", "S1"),
    ],
)
def test_trade_item_identifiers_become_gtin14_lot_and_serial(uri: str, gtin: str, lot: str, serial: str) -> None:
    # when
    identifier = identifier_parse(uri)

    # then
    assert identifier == EpcIdentifier(uri=uri, gtin=gtin, lot=lot, serial=serial)
    assert identifier.names_trade_item is True
    assert identifier.is_class_level is (serial == "")


@pytest.mark.parametrize(
    "uri",
    [
        "urn:epc:id:sscc:0614141.1234567890",
        "urn:epc:id:sgln:0614141.07346.1234",
        "urn:epc:id:grai:4012345.55555.987",
        "urn:epc:id:giai:4000001.111",
        "urn:epc:idpat:sgtin:4012345.*.*",
        "https://id.gs1.org/8004/4000001111",
        "https://id.example.com/things/42",
        "urn:uuid:6f1e0b7e-3c59-4a5e-9f0d-7f8b3c1d2e4a",
    ],
)
def test_other_identifiers_are_kept_as_written_and_name_no_trade_item(uri: str) -> None:
    # when
    identifier = identifier_parse(uri)

    # then
    assert identifier == EpcIdentifier(uri=uri)
    assert identifier.names_trade_item is False


@pytest.mark.parametrize(
    ("uri", "code"),
    [
        ("https://id.gs1.org/01/00614141777779", errors.IDENTIFIER_CHECK_DIGIT),
        ("/01/09520123456789/21/S1", errors.IDENTIFIER_CHECK_DIGIT),
        ("urn:epc:id:sgtin:0614141.10734.2017", errors.IDENTIFIER_INVALID),  # 12 digits, not 13
        ("urn:epc:id:sgtin:06141.1073460.2017", errors.IDENTIFIER_INVALID),  # company prefix under 6 digits
        ("urn:epc:id:sgtin:0614141.107346.", errors.IDENTIFIER_INVALID),
        ("urn:epc:id:sgtin:0614141.107346.ABCDEFGHIJKLMNOPQRSTU", errors.IDENTIFIER_INVALID),  # 21 characters
        ("urn:epc:class:lgtin:4012345.012345", errors.IDENTIFIER_INVALID),
        ("/01/123", errors.IDENTIFIER_INVALID),
        ("/02/9520123456788", errors.IDENTIFIER_INVALID),
        ("http://x.example/01/09520123456788/99/x", errors.IDENTIFIER_INVALID),
        ("not a uri", errors.IDENTIFIER_INVALID),
        ("urn:epc:id:sgtin:0614141.107346.20 17", errors.IDENTIFIER_INVALID),
        ("", errors.IDENTIFIER_INVALID),
    ],
)
def test_malformed_identifiers_and_wrong_check_digits_are_refused(uri: str, code: str) -> None:
    # when
    with pytest.raises(InvalidInput) as caught:
        identifier_parse(uri)

    # then
    assert caught.value.code == code
    assert caught.value.details["identifier"] == uri


def test_gln_check_digit() -> None:
    assert gln_is_valid("9520123456788") is True
    assert gln_is_valid("9520123456787") is False
    assert gln_is_valid("952012345678") is False
    assert gln_is_valid("95201234567a8") is False


@pytest.mark.parametrize(
    ("uri", "gln"),
    [
        ("urn:epc:id:sgln:0614141.07346.1234", "0614141073467"),
        ("urn:epc:id:sgln:0614141.07346.0", "0614141073467"),
        ("https://id.gs1.org/414/9520123456788", "9520123456788"),
        ("http://127.0.0.1:8000/414/9520123456788", "9520123456788"),
        ("https://id.gs1.org/414/9520123456787", ""),  # wrong check digit
        ("urn:epc:id:sscc:0614141.1234567890", ""),
        ("urn:uuid:6f1e0b7e-3c59-4a5e-9f0d-7f8b3c1d2e4a", ""),
    ],
)
def test_gln_from_location(uri: str, gln: str) -> None:
    assert gln_from_location(uri) == gln
