"""Schemas shared by every router: the error shape and limit/offset pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_PAGE_SIZE = 500
# Past any list the platform holds; SQLite cannot bind an integer of 2**63 or more (and PostgreSQL's bigint ends
# there too), so a larger offset would reach the database as an error instead of an empty page.
MAX_PAGE_OFFSET = 1_000_000_000


class ErrorOut(Schema):
    """Every error: a stable `code`, a translated `message`, and machine-readable `details`."""

    code: str = Field(examples=["product.not_found"])
    message: str = Field(examples=["找不到该商品"])
    details: dict[str, Any] = Field(default_factory=dict)


# Documented on every authenticated operation; the handlers in errors.py produce them.
ERRORS: dict[Any, type[Schema]] = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


class PageIn(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_PAGE_OFFSET)


def page(queryset: QuerySet[Any], params: PageIn) -> dict[str, Any]:
    """One page of an already-ordered queryset, with the total count."""
    return {
        "count": queryset.count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": list(queryset[params.offset : params.offset + params.limit]),
    }
