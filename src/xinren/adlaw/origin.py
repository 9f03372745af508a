"""False origin claims (Advertising Law art. 8 and 28(2)): copy that says where the goods come from, naming a region
the product's own stated origin contradicts ("产自四川" for a product registered as grown in 云南).

Only a place name next to an origin cue counts ("产自云南", "产地：昆明", "云南特产", "来自勐海"); a place named
for any other reason (普洱茶 is a kind of tea wherever it grows, 云南白药 is a brand) is not an origin claim. A region
agrees with the origin when either lies within the other: 云南 agrees with 西双版纳, 昆明 does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from xinren.core.regions import REGIONS, region_full_name, region_within

# Cues written before the place ("产自云南", "产地：昆明") and after it ("云南特产", "昆明出产").
CUES_BEFORE = ("产自", "产于", "产地", "原产地", "原产于", "来自", "出产于", "源自", "采自", "生长于", "种植于")
CUES_AFTER = ("特产", "原产", "产区", "出产", "土特产", "所产", "产的")
_FILLER = "：:是为在 \u3000"
_NEGATIONS = ("不", "非", "并非", "不是")


@dataclass(frozen=True)
class OriginClaim:
    start: int
    end: int
    span: str
    code: str


@cache
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One alternation of every province and prefecture name (longest first) and the code each name stands for."""
    codes: dict[str, str] = {}
    for code, region in REGIONS.items():
        for name in region.names:
            if len(name) >= 2:
                codes.setdefault(name, code)
    names = sorted(codes, key=len, reverse=True)
    return re.compile("|".join(re.escape(name) for name in names)), codes


def _cued_before(text: str, start: int) -> bool:
    head = text[:start].rstrip(_FILLER)
    for cue in CUES_BEFORE:
        if head.endswith(cue):
            before = head[: -len(cue)]
            return not before.endswith(_NEGATIONS)
    return False


def _cued_after(text: str, end: int) -> bool:
    return text[end:].startswith(CUES_AFTER)


def origin_claims(text: str) -> list[OriginClaim]:
    """The places the copy names as where the goods come from."""
    pattern, codes = _pattern()
    return [
        OriginClaim(match.start(), match.end(), match.group(0), codes[match.group(0)])
        for match in pattern.finditer(text)
        if _cued_before(text, match.start()) or _cued_after(text, match.end())
    ]


def contradicts(claimed: str, origin: str) -> bool:
    """Whether a claimed region disagrees with the stated origin (neither lies within the other)."""
    return not (region_within(claimed, origin) or region_within(origin, claimed))


def origin_name(code: str) -> str:
    return region_full_name(code)
