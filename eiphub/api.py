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


api = NinjaAPI(
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
api.add_router("/networks/", "eiphub.networks.api.router")
api.add_router("/", "eiphub.reports.api.router")
api.add_router("/monitoring/", "eiphub.monitoring.api.router")
