"""The partner JSON API, version 1: one NinjaAPI with a router per bounded context."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI, Swagger
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.schema import NinjaGenerateJsonSchema

from xinren.accounts.api import router as accounts_router
from xinren.accounts.authentication import authenticators
from xinren.aftersales.api import router as aftersales_router
from xinren.attest.api import router as attest_router
from xinren.catalog.api import router as catalog_router
from xinren.coldchain.api import router as coldchain_router
from xinren.community.api import router as community_router
from xinren.core.http import json_loads_bounded, nul_check, nul_refusal, querydict_nul_location
from xinren.core.schemas import ErrorOut
from xinren.evidence.api import router as evidence_router
from xinren.lab.api import router as lab_router
from xinren.notify.api import router as notify_router
from xinren.orders.api import router as orders_router
from xinren.orders.api import webhook_router as payment_webhook_router
from xinren.orders.tracking_api import router as tracking_router
from xinren.reviews.api import router as reviews_router
from xinren.support.api import router as support_router
from xinren.trace.api import router as trace_router
from xinren.trust.api import router as trust_router
from xinren.trust.delisting.api import router as delisting_router
from xinren.verification.api import router as verification_router
from xinren.web.public.json_api import router as public_trace_router

from .blacklist import router as blacklist_router
from .costs import router as cost_router
from .errors import exception_handlers_install
from .governance import router as governance_router

DESCRIPTION = """\
Xinren (信任) partner API. Authenticate with your organization's API key, either as
`Authorization: Bearer xr_…` or as `X-API-Key: xr_…`; a signed-in browser session works too
(send the CSRF token as `X-CSRFToken` on unsafe methods). Every error is `{code, message, details}`;
send `Accept-Language: en` for English messages. See docs/api.md.
"""


class Utf8JSONRenderer(JSONRenderer):
    # Chinese stays readable in curl output and logs; the body is UTF-8 either way.
    json_dumps_params = {"ensure_ascii": False}


class BoundedParser(Parser):
    """JSON bodies with their depth bounded before parsing and no NUL character in any text.

    Ninja wraps what this raises in a 400 "cannot parse"; errors.py answers with the DomainError it wraps instead.
    Paths, query strings and url-encoded forms are also checked by core.http.NulRefusalMiddleware, for every page.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        data = json_loads_bounded(request.body)
        nul_check(data, where=("body",))
        return data

    def parse_querydict(self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest) -> Any:
        # Multipart forms reach the API unchecked by the middleware (their body is streamed once, to the view).
        location = querydict_nul_location(data, where="form" if data is request.POST else "query")
        if location is not None:
            raise nul_refusal(location)
        return super().parse_querydict(data, list_fields, request)


class UniqueComponentsSchema(OpenAPISchema):
    """The OpenAPI document, refusing two different schemas under one component name.

    Ninja names a component after its class and lets the last one of a name win, so two `ShipmentOut` classes in two
    contexts made one of the documented responses describe the other's body. Building the document now fails instead.
    """

    def add_schema_definitions(self, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            if name in self.schemas and self.schemas[name] != definition:
                raise ImproperlyConfigured(
                    f"two different schemas are named {name!r} in the OpenAPI document; rename one of the classes"
                )
        super().add_schema_definitions(definitions)

    def responses(self, operation: Operation) -> dict[int, Any]:
        # Any request can be refused before its handler runs: 400 when it cannot be read (a NUL character, a body that
        # is not JSON), 422 when its parameters do not validate. Every operation documents both, in the one shape.
        result = super().responses(operation)
        error = {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}}
        for status, description in ((400, "Bad Request"), (422, "Unprocessable Content")):
            result.setdefault(status, {"description": description, "content": error})
        return result


class XinrenAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids ("product_register") make readable generated clients; handler names are unique.
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        document = UniqueComponentsSchema(self, path_prefix)
        document.add_schema_definitions({"ErrorOut": ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
        )})  # fmt: skip
        return document


api = XinrenAPI(
    title="Xinren API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=authenticators(),
    docs=Swagger(settings={"persistAuthorization": True}),
    renderer=Utf8JSONRenderer(),
    parser=BoundedParser(),
)
exception_handlers_install(api)

api.add_router("", accounts_router)
api.add_router("", attest_router)
api.add_router("", catalog_router)
api.add_router("", trace_router)
api.add_router("", orders_router)
api.add_router("", tracking_router)
api.add_router("", lab_router)
api.add_router("", cost_router)
api.add_router("", evidence_router)
api.add_router("", coldchain_router)
api.add_router("", verification_router)
api.add_router("", trust_router)
api.add_router("", delisting_router)
api.add_router("/reviews", reviews_router)
api.add_router("/community", community_router)
api.add_router("/notifications", notify_router)
api.add_router("/support", support_router)
api.add_router("/recalls", "xinren.aftersales.recalls.api.router")
api.add_router("/aftersales", aftersales_router)
api.add_router("/merchant-applications", governance_router)
api.add_router("/operator", blacklist_router)
api.add_router("/payments/webhooks", payment_webhook_router, auth=None, tags=["payments"])
# The consumer's view of an item: public, like the page that the QR code opens.
api.add_router("/trace", public_trace_router, auth=None, tags=["public"])
