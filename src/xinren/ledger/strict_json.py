"""JSON objects read strictly: a member named twice is refused, so two readers can never see two different values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import FormatError


def unique_members(*, what: str, error: type[FormatError]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """An `object_pairs_hook` raising `error` ("<what> repeats the member 'x'") on a repeated member."""

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise error(f"{what} repeats the member {key!r}")
            result[key] = value
        return result

    return hook
