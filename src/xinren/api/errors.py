"""Every API error leaves as `{code, message, details}` with the right HTTP status.

Handlers are registered on the NinjaAPI in `api.py`; `error_response` is also used by the URL-level
fallbacks (unknown path, wrong method) so that nothing under /api/v1/ answers in another shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core import exceptions as django_exceptions
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from xinren.core.errors import DomainError

# Where Django itself reports server errors, so that its handlers (console, mail to ADMINS) see ours too.
logger = logging.getLogger("django.request")

VALIDATION = "validation"
NOT_FOUND = "not_found"
AUTH_REQUIRED = "auth.required"
PERMISSION_DENIED = "permission.denied"
INTERNAL = "internal"


def error_response(
    *, status: int, code: str, message: str | Promise, details: dict[str, Any] | None = None
) -> HttpResponse:
    body = {"code": code, "message": str(message), "details": details or {}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = JsonResponse(exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False})
    if exc.status == 429 and isinstance(exc.details.get("retry_after"), int):
        response["Retry-After"] = str(exc.details["retry_after"])  # RFC 9110: seconds (sign-in limits, ADR 0016)
    return response


def _ninja_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {
            "loc": list(error.get("loc", ())),
            "type": str(error.get("type", "invalid")),
            "msg": str(error.get("msg", "")),
        }
        for error in exc.errors
    ]
    return error_response(status=422, code=VALIDATION, message=_("请求数据无效"), details={"errors": errors})


def _django_validation_error(request: HttpRequest, exc: django_exceptions.ValidationError) -> HttpResponse:
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            errors.extend(
                {"loc": ["body", field], "type": error.code or "invalid", "msg": " ".join(error.messages)}
                for error in field_errors
            )
    else:
        errors.extend(
            {"loc": ["body"], "type": error.code or "invalid", "msg": " ".join(error.messages)}
            for error in exc.error_list
        )
    return error_response(status=422, code=VALIDATION, message=_("请求数据无效"), details={"errors": errors})


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(status=404, code=NOT_FOUND, message=_("找不到该对象"))


def _permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(status=403, code=PERMISSION_DENIED, message=_("你无权进行此操作"))


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    # RequestDataTooBig and other SuspiciousOperations: the client's fault, and never a 500.
    if isinstance(exc, django_exceptions.RequestDataTooBig):
        return error_response(status=413, code="request.too_large", message=_("请求内容过大"))
    return error_response(status=400, code="request.invalid", message=_("请求无效"))


def _multipart_invalid(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A multipart body without a boundary, or cut short: the client's fault (Django's own views answer 400 too).
    return error_response(
        status=400, code="request.multipart_invalid", message=_("无法解析表单内容（multipart/form-data）")
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises these itself: a missing credential, a body that is not JSON, throttling.
    if isinstance(exc.__cause__, DomainError):
        # Our parser (api.BoundedParser) refused the body for a reason it names: too deep, a NUL character.
        return _domain_error(request, exc.__cause__)
    if isinstance(exc, AuthenticationError):
        return error_response(status=401, code=AUTH_REQUIRED, message=_("需要登录或提供 API 密钥"))
    if isinstance(exc, AuthorizationError):
        return error_response(status=403, code=PERMISSION_DENIED, message=_("你无权进行此操作"))
    if isinstance(exc, Throttled):
        return error_response(status=429, code="throttled", message=_("请求过于频繁，请稍后再试"))
    if exc.status_code == 400:
        return error_response(status=400, code="request.malformed", message=_("无法解析请求内容，请发送有效的 JSON"))
    return error_response(status=exc.status_code, code="http_error", message=_("请求无效"))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The details stay in the log: a partner must never see a traceback or a query.
    logger.exception("unexpected error in %s %s", request.method, request.path)
    return error_response(status=500, code=INTERNAL, message=_("服务器内部错误，请稍后再试"))


def exception_handlers_install(api: NinjaAPI) -> None:
    """Replace Ninja's default handlers by ones that all answer `{code, message, details}`."""
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (Exception, _unexpected),
        (DomainError, _domain_error),
        (NinjaValidationError, _ninja_validation_error),
        (django_exceptions.ValidationError, _django_validation_error),
        (Http404, _not_found),
        (django_exceptions.ObjectDoesNotExist, _not_found),
        (django_exceptions.PermissionDenied, _permission_denied),
        (django_exceptions.SuspiciousOperation, _bad_request),
        (HttpError, _http_error),
        (MultiPartParserError, _multipart_invalid),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
