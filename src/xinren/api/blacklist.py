"""/api/v1/operator/blacklist: the blacklist for platform API keys (add, lift, list). Values go in, only masked
hints come out (ADR 0046)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.accounts.choices import BlacklistKind
from xinren.accounts.models import BlacklistEntry
from xinren.core.schemas import ERRORS, PageIn, page
from xinren.governance import blacklist as services

router = Router(tags=["governance"])


class BlacklistIn(Schema):
    kind: BlacklistKind
    value: str = Field(..., max_length=200)
    reason: str = Field(..., max_length=255)
    ends_at: dt.date


class BlacklistLiftIn(Schema):
    reason: str = Field(..., max_length=255)


class BlacklistOut(Schema):
    id: int
    kind: str
    hint: str
    reason: str
    ends_at: dt.datetime
    created_at: dt.datetime
    lifted_at: dt.datetime | None
    lift_reason: str


class BlacklistPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[BlacklistOut]


def _out(entry: BlacklistEntry) -> dict[str, Any]:
    return {field: getattr(entry, field) for field in BlacklistOut.model_fields}


@router.post("/blacklist", response={201: BlacklistOut, **ERRORS}, summary="Ban an identifier until a date")
def blacklist_add(request: HttpRequest, payload: BlacklistIn) -> Any:
    entry = services.blacklist_add(
        actor=actor_of(request),
        kind=payload.kind.value,
        value=payload.value,
        reason=payload.reason,
        ends_at=payload.ends_at,
    )
    return Status(201, _out(entry))


@router.post("/blacklist/{entry_id}/lift", response={200: BlacklistOut, **ERRORS}, summary="Lift an entry")
def blacklist_lift(request: HttpRequest, entry_id: int, payload: BlacklistLiftIn) -> Any:
    return _out(services.blacklist_lift(actor=actor_of(request), entry_id=entry_id, reason=payload.reason))


@router.get("/blacklist", response={200: BlacklistPageOut, **ERRORS}, summary="The entries, newest first")
def blacklist_list(
    request: HttpRequest, params: Query[PageIn], kind: BlacklistKind | None = None, live: bool = False
) -> Any:
    rows = services.blacklist_entries(actor=actor_of(request), kind=kind.value if kind else "", live_only=live)
    result = page(rows, params)
    result["items"] = [_out(entry) for entry in result["items"]]
    return result
