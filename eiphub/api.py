"""The JSON API (django-ninja): /api/v1, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Each app contributes a router in its ``api.py``; this module assembles them.
Authentication: session (browser) or ``Authorization: Bearer <token>``.
"""

from django.shortcuts import render
from ninja import NinjaAPI, Swagger

from eiphub.accounts.api import auth_methods
from eiphub.accounts.api import router as accounts_router
from eiphub.flows.api import router as flows_router
from eiphub.recp.api import router as recp_router
from eiphub.registry.api import router as registry_router

# --- issue 18: every operation documents the error answers it can give --------------------
ERROR_RESPONSES = {
    "400": "Bad request: a value is invalid (field and detail in the body).",
    "401": "Not authenticated.",
    "403": "Not allowed for your role or scope.",
    "404": "Not found in your scope.",
    "409": "Conflict: the record changed meanwhile or the step is not allowed in its state.",
    "422": "Unprocessable: the body or a parameter does not match the schema or bounds.",
}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {}, "field": {"type": "string"}},
}


class EipHubAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        doc = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for ops in doc.get("paths", {}).values():
            for op in ops.values():
                # ninja keys responses by int; JSON keys are strings: normalise first, or
                # "400" would appear twice in the document (YAML/Swagger UI refuse it).
                responses = {str(k): v for k, v in op.get("responses", {}).items()}
                op["responses"] = responses
                for code, text in ERROR_RESPONSES.items():
                    responses.setdefault(
                        code,
                        {
                            "description": text,
                            "content": {"application/json": {"schema": _ERROR_SCHEMA}},
                        },
                    )
        return doc


class OfflineSwagger(Swagger):
    """Swagger UI served from /static/vendor/swagger-ui/ (ninja's default uses a CDN).

    The settings travel as a JSON data block and ``eiphub/api-docs.js`` starts the UI,
    so the page runs under the nonce Content-Security-Policy without inline script.
    ``validatorUrl`` is off: the default would fetch a badge from validator.swagger.io.
    """

    template = "api/docs.html"
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        "validatorUrl": None,
    }

    def render_page(self, request, api, **kwargs):
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api, "add_csrf": True}
        return render(request, self.template, context)


api = EipHubAPI(
    title="EIP Hub API",
    version="1.0",
    description="Parks, enterprises, resources and monthly flows of Vietnam's eco-industrial parks.",
    auth=auth_methods,
    urls_namespace="api",
    docs=OfflineSwagger(),
)
api.add_router("/", accounts_router)
api.add_router("/", registry_router)
api.add_router("/", flows_router)
api.add_router("/", recp_router)
api.add_router("/exchange/", "eiphub.exchange.api.router")
api.add_router("/exchange/", "eiphub.exchange.api_search.router")
api.add_router("/networks/", "eiphub.networks.api.router")
api.add_router("/", "eiphub.reports.api.router")
api.add_router("/monitoring/", "eiphub.monitoring.api.router")
api.add_router("/", "eiphub.jobs.rest.router")
