"""The published probation policy (/governance/probation/): what a new merchant works under and how it ends."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from xinren.governance.models import ProbationPolicy
from xinren.governance.probation_policy import policy_current

from .pages import _base_context


@require_safe
def probation_policy(request: HttpRequest) -> HttpResponse:
    """The policy in force, and the earlier versions by number (a probation keeps the version it started under)."""
    context = {"policy": policy_current(), "versions": ProbationPolicy.objects.order_by("-version")}
    return HttpResponse(render_to_string("public/probation_policy.html", {**context, **_base_context()}))
