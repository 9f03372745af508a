"""API routes of the accounts context: who the caller is."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from xinren.core.schemas import ERRORS

from .actors import Actor
from .authentication import actor_of

router = Router(tags=["accounts"])


class OrganizationOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    status: str


class ApiKeyOut(Schema):
    prefix: str
    name: str
    role: str


class MeOut(Schema):
    organization: OrganizationOut
    role: str
    via: str
    user: str | None
    api_key: ApiKeyOut | None

    @staticmethod
    def resolve_via(obj: Actor) -> str:
        return "api_key" if obj.api_key is not None else "session"

    @staticmethod
    def resolve_user(obj: Actor) -> str | None:
        return obj.user.get_username() if obj.user is not None else None


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The caller: organization and role")
def me(request: HttpRequest) -> Actor:
    return actor_of(request)
