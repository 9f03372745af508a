"""What every console view shares: the signed-in actor, refusals as pages, and domain errors in forms."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, ROLE_RANK, TRACE_KINDS, Role
from xinren.accounts.models import User
from xinren.accounts.selectors import SESSION_ORGANIZATION_KEY, actor_for_user, membership_list_for_user
from xinren.core.errors import DomainError, NotFound, PermissionDenied

P = ParamSpec("P")
ConsoleView = Callable[Concatenate[HttpRequest, Actor, P], HttpResponse]
View = Callable[Concatenate[HttpRequest, P], HttpResponse]

# The organization a person chose in the switcher; absent means their first membership.
SESSION_ORGANIZATION = SESSION_ORGANIZATION_KEY


def request_actor(request: HttpRequest) -> Actor:
    """The signed-in person acting for the organization chosen in this session."""
    user = request.user
    assert isinstance(user, User)
    chosen = request.session.get(SESSION_ORGANIZATION)
    if chosen is not None:
        try:
            return actor_for_user(user=user, organization_id=int(chosen))
        except (PermissionDenied, ValueError, TypeError):
            # The membership was removed since the choice was made: fall back to another one.
            del request.session[SESSION_ORGANIZATION]
    return actor_for_user(user=user)


def denied(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "merchant/denied.html", {"error": error}, status=403)


def console_view(
    *, role: str | None = None, kinds: Iterable[str] | None = None
) -> Callable[[ConsoleView[P]], View[P]]:
    """Sign-in required; the view receives the actor. `role`/`kinds` refuse the page itself early.

    Services still check permissions on every write; this only spares people a form they cannot submit.
    A NotFound anywhere becomes a 404 so that another organization's ids reveal nothing.
    """

    def decorate(view: ConsoleView[P]) -> View[P]:
        @login_required
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            try:
                actor = request_actor(request)
                if role is not None or kinds is not None:
                    actor.require(role=role or Role.VIEWER, kinds=kinds)
                return view(request, actor, *args, **kwargs)
            except NotFound as exc:
                raise Http404(str(exc.message)) from exc
            except PermissionDenied as exc:
                return denied(request, exc)

        return wrapper

    return decorate


@dataclass(frozen=True)
class ConsoleNav:
    """What the menu offers to this actor; the services are the authority, this only hides dead ends."""

    actor: Actor

    @property
    def catalog(self) -> bool:
        return self.actor.organization.kind in CATALOG_KINDS

    @property
    def trace(self) -> bool:
        return self.actor.organization.kind in TRACE_KINDS

    @property
    def role_label(self) -> str:
        return str(Role(self.actor.role).label)

    @property
    def can_write(self) -> bool:
        return ROLE_RANK[Role(self.actor.role)] >= ROLE_RANK[Role.STAFF]

    @property
    def is_admin(self) -> bool:
        return ROLE_RANK[Role(self.actor.role)] >= ROLE_RANK[Role.ADMIN]


def render_console(
    request: HttpRequest,
    actor: Actor,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render a console page with the menu, the organization switcher and the language switch."""
    assert actor.user is not None
    base = {
        "actor": actor,
        "nav": ConsoleNav(actor),
        "memberships": membership_list_for_user(user=actor.user),
    }
    return render(request, template, {**base, **(context or {})}, status=status)


def form_error(form: forms.BaseForm, error: DomainError, fields: Mapping[str, str] | None = None) -> int:
    """Show a refused action in the form, on the field its code or `details["field"]` names; returns the status.

    NotFound is re-raised: a missing object is a 404, not a form problem.
    """
    if isinstance(error, NotFound):
        raise error
    field = (fields or {}).get(error.code) or error.details.get("field")
    form.add_error(field if field in form.fields else None, str(error.message))
    return error.status
