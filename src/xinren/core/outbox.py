"""Marking public pages for re-publication (the publisher in web/public drains the rows)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import PageRefresh


def pages_mark_stale(*, kind: str, object_ids: Iterable[int]) -> None:
    """Queue the pages of these objects; call inside the transaction that changed them."""
    PageRefresh.objects.bulk_create(
        [PageRefresh(kind=kind, object_id=object_id) for object_id in sorted(set(object_ids))]
    )
