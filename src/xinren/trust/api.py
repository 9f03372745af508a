"""Trust: the partner API router (mounted in xinren.api.api)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["trust"])
