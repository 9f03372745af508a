"""/api/v1/: the Ninja routes, then JSON answers for what Ninja does not route, in the one error shape."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from .api import api
from .errors import NOT_FOUND, error_response

View = Callable[..., HttpResponse]


def _method_not_allowed_as_json(view: View) -> View:
    """Ninja answers a wrong method with a plain-text 405; keep its Allow header, use our body."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        replacement = error_response(
            status=405,
            code="method_not_allowed",
            message=_("不支持该请求方法"),
            details={"allowed": [m.strip() for m in allowed.split(",") if m.strip()]},
        )
        replacement["Allow"] = allowed
        return replacement

    return wrapper


@csrf_exempt
def not_found(request: HttpRequest, unknown: str = "") -> HttpResponse:
    return error_response(status=404, code=NOT_FOUND, message=_("没有这个接口"), details={"path": request.path})


def _ninja_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app_name, _namespace = api.urls
    return [
        path(str(p.pattern), _method_not_allowed_as_json(p.callback), name=p.name) if isinstance(p, URLPattern) else p
        for p in patterns
    ]


app_name = "api-v1"
urlpatterns: list[URLPattern | URLResolver] = [
    *_ninja_patterns(),
    re_path(r"^(?P<unknown>.*)$", not_found, name="not-found"),
]
