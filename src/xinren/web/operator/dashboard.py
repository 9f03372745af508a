"""The operator's governance dashboard (/operator/): applications, probation, risk, interceptions, suspensions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.web.merchant.console import console_view, render_console

OPERATOR = {"kinds": [OrganizationKind.PLATFORM], "role": Role.VIEWER}


@console_view(**OPERATOR)  # type: ignore[arg-type]
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_console(request, actor, "operator/dashboard.html", {})
