"""Property tests: every well-formed USCC passes, and changing any one character makes it fail."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from xinren.accounts.uscc import ALPHABET, uscc_check_char
from xinren.core.regions import division_get
from xinren.governance.checks.uscc import AUTHORITY_CATEGORIES, uscc_check

REGION_CODES = sorted(code for code in ("530802", "110105", "532324", "100000", "110228", "653101") if code)


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(AUTHORITY_CATEGORIES)))
    category = draw(st.sampled_from(AUTHORITY_CATEGORIES[authority]))
    region = draw(st.sampled_from(REGION_CODES))
    body = draw(st.text(alphabet=ALPHABET, min_size=9, max_size=9))
    first17 = authority + category + region + body
    return first17 + uscc_check_char(first17)


def test_the_sample_regions_are_in_the_table():
    assert all(code == "100000" or division_get(code) is not None for code in REGION_CODES)


@settings(max_examples=300, deadline=None)
@given(valid_usccs())
def test_every_generated_valid_code_passes(code: str) -> None:
    assert uscc_check(code).outcome == "pass"


@settings(max_examples=300, deadline=None)
@given(valid_usccs(), st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET + "IOSVZ"))
def test_any_single_character_change_fails(code: str, position: int, char: str) -> None:
    changed = code[:position] + char + code[position + 1 :]
    if changed == code:
        return
    assert uscc_check(changed).outcome == "fail"
